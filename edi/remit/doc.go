// Package remit is the typed model of the 835 health care claim
// payment/advice (005010X221A1): a streaming decoder fed by the schema
// parser's events, a whole-set decoder whose Encode reproduces its input
// byte for byte, the balancing rules, a writer for the 835s we emit and a
// re-enveloper for forwarding received ones.
package remit
