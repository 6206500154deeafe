package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Example records a received file, claims it as a worker and finishes it
// together with its outbound 999 in one transaction.
func Example() {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	content := []byte("ISA*00*...~")
	h := sha256.Sum256(content)
	in := store.InboundFile{PartnerID: "acme", Name: "claims.x12", SHA256: hex.EncodeToString(h[:]),
		Size: int64(len(content)), SpoolPath: "/spool/acme/claims.x12"}
	rec, created, err := s.RecordInbound(ctx, in)
	if err != nil {
		log.Fatal(err)
	}
	_, again, err := s.RecordInbound(ctx, in) // the same file polled twice
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("recorded:", rec.ID, created, "second time created:", again)

	f, err := s.ClaimInbound(ctx, "host-1/worker-1", 5*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	err = s.InTx(ctx, func(tx *store.Tx) error {
		isa, err := tx.NextControlNumber(ctx, f.PartnerID, store.ControlISA)
		if err != nil {
			return err
		}
		ack := fmt.Sprintf("999_%09d.x12", isa)
		if _, _, err := tx.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: f.PartnerID, Kind: store.Kind999,
			Name: ack, SHA256: hex.EncodeToString(h[:]), InboundFileID: &f.ID}); err != nil {
			return err
		}
		return tx.FinishInbound(ctx, f.ID, "host-1/worker-1", store.InboundResult{
			State: store.InboundProcessed, Counts: store.InboundCounts{Interchanges: 1, Transactions: 1, TxAccepted: 1}})
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.ClaimInbound(ctx, "host-1/worker-1", 5*time.Minute)
	fmt.Println("next claim:", errors.Is(err, store.ErrNoWork))

	out, err := s.ListOutbound(ctx, store.OutboundFilter{InboundFileID: f.ID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("outbound:", out[0].Kind, out[0].Name, out[0].State)
	// Output:
	// recorded: 1 true second time created: false
	// next claim: true
	// outbound: 999 999_000000001.x12 pending
}
