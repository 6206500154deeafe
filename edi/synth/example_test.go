package synth_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/synth"
)

func ExampleWrite() {
	var buf bytes.Buffer
	st, err := synth.Write(context.Background(), &buf, synth.Config{
		Kind:   synth.Professional,
		Claims: 250,
		Seed:   7,
		Freq7:  0.04,
		Dup:    0.02,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Claims, st.Transactions, st.Groups, st.Bytes == int64(buf.Len()))
	fmt.Println(buf.String()[:106])
	// Output:
	// 250 3 1 true
	// ISA*00*          *00*          *ZZ*SYNTHSUBMIT    *ZZ*CLEARINGHOUSE  *250115*1030*^*00501*739594545*0*T*:~
}
