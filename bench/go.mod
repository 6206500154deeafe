module github.com/clearinghouse/clearinghouse/bench

go 1.26.8

require (
	github.com/clearinghouse/clearinghouse v0.0.0
	github.com/moov-io/x12 v0.1.0
)

replace github.com/clearinghouse/clearinghouse => ../
