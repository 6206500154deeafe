package remittance

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

var eopTemplate = template.Must(template.New("eop").Funcs(template.FuncMap{
	"money": Money,
	"join":  strings.Join,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Explanation of payment</title>
<style>
body { font-family: sans-serif; font-size: 10pt; margin: 2em; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 1.5em; border-bottom: 1px solid #888; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
.meta td { border: none; padding: 1px 12px 1px 0; }
footer { margin-top: 2em; color: #555; font-size: 8pt; }
</style>
</head>
<body>
<h1>Explanation of payment</h1>
<table class="meta">
<tr><td>Payer</td><td>{{.Payer.Name}}{{with .Payer.ID}} ({{.}}){{end}}</td></tr>
<tr><td>Payee</td><td>{{.Payee.Name}}{{with .Payee.ID}} NPI {{.}}{{end}}{{with .Payee.TIN}} TIN {{.}}{{end}}</td></tr>
<tr><td>Payment</td><td>{{if .Payment.Notice}}Notification only, no payment{{else}}{{money .Payment.AmountCents}}{{if eq .Payment.CreditDebit "D"}} debit{{end}}{{with .Payment.Method}} by {{.}}{{end}}{{end}}</td></tr>
<tr><td>Date</td><td>{{.Payment.Date}}</td></tr>
<tr><td>Trace</td><td>{{.Payment.Trace}}</td></tr>
<tr><td>Remittance</td><td>{{.Payment.RemittanceID}}</td></tr>
</table>
{{range .Claims}}
<h2>Claim {{.CLP01}}{{with .ControlNumber}} (our claim {{.}}){{end}}</h2>
<table class="meta">
<tr><td>Patient</td><td>{{.Patient}}{{with .MemberID}} (member {{.}}){{end}}</td></tr>
<tr><td>Status</td><td>{{.Status}}</td></tr>
<tr><td>Payer claim number</td><td>{{.PayerClaimNumber}}</td></tr>
{{with .Period}}<tr><td>Statement period</td><td>{{.}}</td></tr>{{end}}
<tr><td>Paid on</td><td>{{.PaymentDate}} (trace {{.Trace}}, remittance {{.RemittanceID}})</td></tr>
</table>
<table>
<tr><th>Date</th><th>Service</th><th class="n">Units</th><th class="n">Billed</th><th class="n">Allowed</th><th class="n">Paid</th><th>Adjustments</th><th>Remarks</th></tr>
{{range .Lines}}<tr><td>{{.Date}}</td><td>{{.Procedure}}</td><td class="n">{{.Units}}</td><td class="n">{{money .ChargeCents}}</td><td class="n">{{money .AllowedCents}}</td><td class="n">{{money .PaidCents}}</td><td>{{range $i, $a := .Adjustments}}{{if $i}}<br>{{end}}{{$a}}{{end}}</td><td>{{join .Remarks " "}}</td></tr>
{{end}}<tr><th colspan="3">Claim total</th><th class="n">{{money .ChargeCents}}</th><th class="n">{{money .AllowedCents}}</th><th class="n">{{money .PaidCents}}</th><th>{{range $i, $a := .Adjustments}}{{if $i}}<br>{{end}}{{$a}}{{end}}</th><th>{{join .Remarks " "}}</th></tr>
</table>
<p>Patient responsibility: {{money .PatientCents}}</p>
{{end}}
<h2>Codes</h2>
<table>
{{range .Codes}}<tr><td>{{.Kind}}</td><td>{{.Code}}</td><td>{{.Text}}</td></tr>
{{end}}</table>
<footer>Generated {{.Generated.Format "2006-01-02 15:04 UTC"}}. Contains protected health information.</footer>
</body>
</html>
`))

// WriteHTML writes the explanation as a standalone HTML page.
func (e *EOP) WriteHTML(w io.Writer) error {
	return eopTemplate.Execute(w, e)
}

// WritePDF writes the explanation as a PDF (US letter, core fonts). The
// document's dates are e.Generated, so the same EOP gives the same bytes.
func (e *EOP) WritePDF(w io.Writer) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetCreationDate(e.Generated)
	pdf.SetModificationDate(e.Generated)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("Explanation of payment", true)
	pdf.SetCreator("clearinghouse", true)
	pdf.SetMargins(12, 12, 12)
	pdf.SetAutoPageBreak(true, 14)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("Helvetica", "", 7)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("Generated %s. Contains protected health information. Page %d",
			e.Generated.Format("2006-01-02 15:04 UTC"), pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 15)
	pdf.CellFormat(0, 8, "Explanation of payment", "", 1, "L", false, 0, "")
	meta := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(32, 5, tr(label), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(0, 5, tr(value), "", "L", false)
	}
	payee := e.Payee.Name
	if e.Payee.ID != "" {
		payee += " NPI " + e.Payee.ID
	}
	if e.Payee.TIN != "" {
		payee += " TIN " + e.Payee.TIN
	}
	payer := e.Payer.Name
	if e.Payer.ID != "" {
		payer += " (" + e.Payer.ID + ")"
	}
	payment := Money(e.Payment.AmountCents)
	if e.Payment.CreditDebit == "D" {
		payment += " debit"
	}
	if e.Payment.Method != "" {
		payment += " by " + e.Payment.Method
	}
	if e.Payment.Notice {
		payment = "Notification only, no payment"
	}
	meta("Payer", payer)
	meta("Payee", payee)
	meta("Payment", payment)
	meta("Date", e.Payment.Date)
	meta("Trace", e.Payment.Trace)
	meta("Remittance", fmt.Sprint(e.Payment.RemittanceID))
	cols := []struct {
		head  string
		width float64
		align string
	}{{"Date", 22, "L"}, {"Service", 26, "L"}, {"Units", 11, "R"}, {"Billed", 21, "R"}, {"Allowed", 21, "R"},
		{"Paid", 21, "R"}, {"Adjustments", 40, "L"}, {"Remarks", 29.9, "L"}}
	row := func(bold bool, cells ...string) {
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 8)
		// The row is as tall as its tallest cell.
		lines := 1
		for i, c := range cells {
			if n := len(pdf.SplitLines([]byte(tr(c)), cols[i].width-2)); n > lines {
				lines = n
			}
		}
		h := 4.0 * float64(lines)
		if pdf.GetY()+h > 265 {
			pdf.AddPage()
		}
		x, y := pdf.GetX(), pdf.GetY()
		for i, c := range cells {
			pdf.Rect(x, y, cols[i].width, h, "D")
			pdf.SetXY(x, y)
			pdf.MultiCell(cols[i].width, 4, tr(c), "", cols[i].align, false)
			x += cols[i].width
		}
		pdf.SetXY(12, y+h)
	}
	adjText := func(as []EOPAdjustment) string {
		var s []string
		for _, a := range as {
			s = append(s, a.String())
		}
		return strings.Join(s, "\n")
	}
	for _, c := range e.Claims {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 11)
		title := "Claim " + c.CLP01
		if c.ControlNumber != "" {
			title += " (our claim " + c.ControlNumber + ")"
		}
		pdf.CellFormat(0, 6, tr(title), "B", 1, "L", false, 0, "")
		patient := c.Patient
		if c.MemberID != "" {
			patient += " (member " + c.MemberID + ")"
		}
		meta("Patient", patient)
		meta("Status", c.Status)
		meta("Payer claim no.", c.PayerClaimNumber)
		if c.Period != "" {
			meta("Statement period", c.Period)
		}
		meta("Paid on", fmt.Sprintf("%s (trace %s, remittance %d)", c.PaymentDate, c.Trace, c.RemittanceID))
		heads := make([]string, len(cols))
		for i, col := range cols {
			heads[i] = col.head
		}
		row(true, heads...)
		for _, l := range c.Lines {
			row(false, l.Date, l.Procedure, l.Units, Money(l.ChargeCents), Money(l.AllowedCents), Money(l.PaidCents),
				adjText(l.Adjustments), strings.Join(l.Remarks, " "))
		}
		row(true, "Claim total", "", "", Money(c.ChargeCents), Money(c.AllowedCents), Money(c.PaidCents),
			adjText(c.Adjustments), strings.Join(c.Remarks, " "))
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 6, "Patient responsibility: "+Money(c.PatientCents), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, "Codes", "B", 1, "L", false, 0, "")
	for _, c := range e.Codes {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.CellFormat(12, 4, c.Kind, "", 0, "L", false, 0, "")
		pdf.CellFormat(14, 4, tr(c.Code), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 8)
		pdf.MultiCell(0, 4, tr(c.Text), "", "L", false)
	}
	return pdf.Output(w)
}
