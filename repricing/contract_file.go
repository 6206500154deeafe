package repricing

import (
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// LoadContracts reads a contracts YAML file (format in the package
// documentation) and builds the table with NewContractTable. Numbers are
// read from the YAML text, never through float. Errors are *ContractError
// (with the line and column of the offending value) or *AmbiguityError.
func LoadContracts(r io.Reader) (*ContractTable, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ContractError{Err: invalidf("empty contracts file")}
		}
		return nil, &ContractError{Err: fmt.Errorf("%w: yaml: %v", ErrInvalidContract, err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	var list *yaml.Node
	err := eachKey(root, func(k, v *yaml.Node) error {
		if k.Value != "contracts" {
			return unknownKey(k)
		}
		list = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		at := root
		if list != nil {
			at = list
		}
		return nil, nodeErr(at, "", invalidf("want a top-level \"contracts:\" list"))
	}
	contracts := make([]Contract, 0, len(list.Content))
	pos := make(map[string]*yaml.Node, len(list.Content))
	for _, n := range list.Content {
		n = deref(n)
		c, err := decodeContract(n)
		if err != nil {
			return nil, err
		}
		if _, dup := pos[c.ID]; !dup {
			pos[c.ID] = n
		}
		contracts = append(contracts, c)
	}
	t, err := NewContractTable(contracts)
	var ce *ContractError
	if errors.As(err, &ce) && ce.Line == 0 {
		if n := pos[ce.ID]; n != nil {
			ce.Line, ce.Column = n.Line, n.Column
		}
	}
	return t, err
}

func nodeErr(n *yaml.Node, id string, err error) *ContractError {
	return &ContractError{ID: id, Line: n.Line, Column: n.Column, Err: err}
}

func unknownKey(k *yaml.Node) error {
	return nodeErr(k, "", invalidf("unknown key %q", k.Value))
}

// eachKey calls fn for every key/value of mapping n, rejecting non-mappings
// and duplicate keys.
func eachKey(n *yaml.Node, fn func(k, v *yaml.Node) error) error {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nodeErr(n, "", invalidf("want a mapping"))
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if seen[k.Value] {
			return nodeErr(k, "", invalidf("duplicate key %q", k.Value))
		}
		seen[k.Value] = true
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// deref follows YAML aliases (*name) to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// scalar returns the raw text of a scalar node ("" for null).
func scalar(v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", invalidf("want a single value")
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	return v.Value, nil
}

func decodeContract(n *yaml.Node) (Contract, error) {
	var c Contract
	// The id first, so later errors can name it.
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "id" {
				c.ID = n.Content[i+1].Value
			}
		}
	}
	isDefault := false
	err := eachKey(n, func(k, v *yaml.Node) error {
		fail := func(err error) error { return nodeErr(v, c.ID, err) }
		switch k.Value {
		case "match":
			return decodeMatches(v, &c)
		case "schedules":
			return decodeRefs(v, &c)
		case "unpriced":
			return decodeUnpriced(v, &c)
		}
		s, err := scalar(v)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", k.Value, err))
		}
		switch k.Value {
		case "id":
			c.ID = s
		case "effective_from", "effective_to":
			if s == "" {
				return nil
			}
			d, err := ParseDate(s)
			if err != nil {
				return fail(err)
			}
			if k.Value == "effective_from" {
				c.EffectiveFrom = d
			} else {
				c.EffectiveTo = d
			}
		case "default":
			b, err := parseBool(s)
			if err != nil {
				return fail(err)
			}
			isDefault = b
		case "method":
			m, err := ParseMethod(s)
			if err != nil {
				return fail(err)
			}
			c.Method = m
		case "percent", "rbrvs_percent":
			bp, err := parsePercent(s)
			if err != nil {
				return fail(fmt.Errorf("%s: %w", k.Value, err))
			}
			if k.Value == "percent" {
				c.Percent = bp
			} else {
				c.RBRVSPercent = bp
			}
		case "conversion_factor":
			v, err := parseDecimal(s, 4, 5)
			if err != nil {
				return fail(invalidf("conversion_factor: %v", err))
			}
			c.ConversionFactor = v
		case "locality":
			c.Locality = s
		case "base_rate":
			v, err := parseCents(s)
			if err != nil {
				return fail(invalidf("base_rate: %v", err))
			}
			c.BaseRateCents = v
		case "cap_at_billed":
			b, err := parseBool(s)
			if err != nil {
				return fail(err)
			}
			c.CapAtBilled = b
		case "method_code":
			c.MethodCode = s
		default:
			return unknownKey(k)
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if isDefault {
		c.Match = append(c.Match, Match{})
	}
	return c, nil
}

func parseBool(s string) (bool, error) {
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalidf("want true or false, got %q", s)
}

// parsePercent parses a percentage with up to two decimals ("70", "62.5",
// "140") into basis points; a trailing "%" is allowed.
func parsePercent(s string) (int64, error) {
	if n := len(s); n > 0 && s[n-1] == '%' {
		s = s[:n-1]
	}
	v, err := parseDecimal(s, 2, 4)
	if err != nil {
		return 0, invalidf("percent: %v", err)
	}
	return v, nil
}

func decodeMatches(v *yaml.Node, c *Contract) error {
	if v.Kind != yaml.SequenceNode {
		return nodeErr(v, c.ID, invalidf("match: want a list of rules"))
	}
	for _, rn := range v.Content {
		rn = deref(rn)
		var m Match
		err := eachKey(rn, func(k, v *yaml.Node) error {
			s, err := scalar(v)
			if err != nil {
				return nodeErr(v, c.ID, fmt.Errorf("%s: %w", k.Value, err))
			}
			switch k.Value {
			case "npi":
				m.NPI = s
			case "tin":
				m.TIN = s
			case "payer_id":
				m.PayerID = s
			case "tpa":
				m.TPA = s
			case "bill_type":
				m.BillType = s
			case "claim_type":
				switch s {
				case "P":
					m.ClaimType = Professional
				case "I":
					m.ClaimType = Institutional
				case "":
				default:
					return nodeErr(v, c.ID, invalidf("claim_type %q is not P or I", s))
				}
			default:
				return unknownKey(k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := m.validate(); err != nil {
			return nodeErr(rn, c.ID, err)
		}
		c.Match = append(c.Match, m)
	}
	return nil
}

func decodeRefs(v *yaml.Node, c *Contract) error {
	return eachKey(v, func(k, v *yaml.Node) error {
		s, err := scalar(v)
		if err != nil {
			return nodeErr(v, c.ID, fmt.Errorf("%s: %w", k.Value, err))
		}
		r := &c.Schedules
		dst := map[string]*string{"fee": &r.Fee, "rbrvs": &r.RBRVS, "gpci": &r.GPCI,
			"per_diem": &r.PerDiem, "drg": &r.DRG, "case_rate": &r.CaseRate}[k.Value]
		if dst == nil {
			return unknownKey(k)
		}
		*dst = s
		return nil
	})
}

func decodeUnpriced(v *yaml.Node, c *Contract) error {
	return eachKey(v, func(k, v *yaml.Node) error {
		s, err := scalar(v)
		if err != nil {
			return nodeErr(v, c.ID, fmt.Errorf("%s: %w", k.Value, err))
		}
		u := &c.Unpriced
		switch k.Value {
		case "action":
			switch s {
			case "deny":
				u.Action = UnpricedDeny
			case "percent_of_charges":
				u.Action = UnpricedPercentOfCharges
			default:
				return nodeErr(v, c.ID, invalidf("unpriced action %q is not deny or percent_of_charges", s))
			}
		case "reason":
			u.Reason = s
		case "percent":
			bp, err := parsePercent(s)
			if err != nil {
				return nodeErr(v, c.ID, err)
			}
			u.Percent = bp
		default:
			return unknownKey(k)
		}
		return nil
	})
}
