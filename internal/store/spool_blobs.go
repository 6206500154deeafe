package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Spooled content kept in PostgreSQL (internal/spool's postgres backend):
// a blob of fixed-size chunks, written chunk by chunk and finished with
// its size and SHA-256. Rows refer to a blob by its reference "pg:<id>" in
// spool_path; [Queries.RecordInbound] and [Queries.EnqueueOutbound] mark
// the blob of a row they create as referenced in the same transaction, and
// [Queries.DeleteOrphanSpoolBlobs] removes blobs never referenced.

// ErrSpoolBlobMissing means a row refers to a spool blob that does not
// exist or was never finished (garbage-collected, or a reference made up).
var ErrSpoolBlobMissing = errors.New("store: spool blob missing")

// errNoBlobs is returned by the blob methods on SQLite.
var errNoBlobs = errors.New("store: spool blobs need PostgreSQL")

// blobRefPrefix starts the spool reference of a blob.
const blobRefPrefix = "pg:"

// SpoolBlobRef returns the spool reference of blob id: "pg:<id>".
func SpoolBlobRef(id int64) string { return blobRefPrefix + strconv.FormatInt(id, 10) }

// ParseSpoolBlobRef returns the blob ID of a "pg:<id>" reference; ok is
// false for anything else (a spool directory path).
func ParseSpoolBlobRef(ref string) (id int64, ok bool) {
	s, ok := strings.CutPrefix(ref, blobRefPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, false
	}
	return id, true
}

// SpoolBlob is a spool_blobs row.
type SpoolBlob struct {
	ID        int64  `db:"id"`
	Area      string `db:"area"`
	ChunkSize int    `db:"chunk_size"`
	// Size and SHA256 are nil while the blob is being written.
	Size       *int64    `db:"size"`
	SHA256     *string   `db:"sha256"`
	Referenced bool      `db:"referenced"`
	CreatedAt  time.Time `db:"created_at"`
}

// Complete reports whether the blob was finished.
func (b *SpoolBlob) Complete() bool { return b.Size != nil && b.SHA256 != nil }

const spoolBlobCols = `id, area, chunk_size, size, sha256, referenced, created_at`

func (q *Queries) blobsSupported() error {
	if q.dialect != DialectPostgres {
		return errNoBlobs
	}
	return nil
}

// CreateSpoolBlob starts an empty blob of area ("inbound", "outbound")
// whose chunks hold chunkSize bytes each (the last one fewer) and returns
// its ID. Add the chunks with [Queries.PutSpoolChunk] and finish it with
// [Queries.FinishSpoolBlob].
func (q *Queries) CreateSpoolBlob(ctx context.Context, area string, chunkSize int) (int64, error) {
	if err := q.blobsSupported(); err != nil {
		return 0, err
	}
	if chunkSize <= 0 {
		return 0, invalid("chunk_size", strconv.Itoa(chunkSize), "must be positive")
	}
	var id int64
	if err := q.get(ctx, &id, `INSERT INTO spool_blobs (area, chunk_size, created_at) VALUES (?, ?, ?) RETURNING id`,
		area, chunkSize, q.now()); err != nil {
		return 0, fmt.Errorf("store: create spool blob: %w", err)
	}
	return id, nil
}

// CreateSmallSpoolBlob stores data, at most chunkSize bytes, as a finished
// blob of one chunk (none when data is empty) in one statement, and
// returns its ID.
func (q *Queries) CreateSmallSpoolBlob(ctx context.Context, area string, chunkSize int, data []byte, sha256 string) (int64, error) {
	if err := q.blobsSupported(); err != nil {
		return 0, err
	}
	if chunkSize <= 0 || len(data) > chunkSize {
		return 0, invalid("chunk_size", strconv.Itoa(chunkSize), fmt.Sprintf("must be positive and hold the %d bytes", len(data)))
	}
	var id int64
	if err := q.get(ctx, &id, `WITH b AS (
			INSERT INTO spool_blobs (area, chunk_size, size, sha256, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id),
		c AS (INSERT INTO spool_chunks (blob_id, seq, data) SELECT id, 0, ? FROM b WHERE ? > 0)
		SELECT id FROM b`,
		area, chunkSize, int64(len(data)), sha256, q.now(), data, len(data)); err != nil {
		return 0, fmt.Errorf("store: create spool blob: %w", err)
	}
	return id, nil
}

// PutSpoolChunk stores chunk seq (0-based) of blob id. Every chunk but the
// last must hold the blob's chunk size.
func (q *Queries) PutSpoolChunk(ctx context.Context, id int64, seq int, data []byte) error {
	if err := q.blobsSupported(); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `INSERT INTO spool_chunks (blob_id, seq, data) VALUES (?, ?, ?)`, id, seq, data); err != nil {
		return fmt.Errorf("store: spool blob %d chunk %d: %w", id, seq, err)
	}
	return nil
}

// FinishSpoolBlob records the size and digest of blob id once every chunk
// is stored: from then on it can be read and referenced.
func (q *Queries) FinishSpoolBlob(ctx context.Context, id, size int64, sha256 string) error {
	if err := q.blobsSupported(); err != nil {
		return err
	}
	n, err := q.exec(ctx, `UPDATE spool_blobs SET size = ?, sha256 = ? WHERE id = ? AND size IS NULL`, size, sha256, id)
	if err != nil {
		return fmt.Errorf("store: finish spool blob %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: finish spool blob %d: %w", id, ErrSpoolBlobMissing)
	}
	return nil
}

// GetSpoolBlobHead returns blob id, or ErrNotFound, and the blob's
// content when it is finished and fits in its first chunk (nil
// otherwise): opening a small blob, such as an acknowledgment being
// delivered, is one round trip instead of two.
func (q *Queries) GetSpoolBlobHead(ctx context.Context, id int64) (*SpoolBlob, []byte, error) {
	if err := q.blobsSupported(); err != nil {
		return nil, nil, err
	}
	var b struct {
		SpoolBlob
		Head []byte `db:"head"`
	}
	if err := q.get(ctx, &b, `SELECT `+spoolBlobCols+`,
			CASE WHEN size IS NOT NULL AND size > 0 AND size <= chunk_size
				THEN (SELECT data FROM spool_chunks WHERE blob_id = spool_blobs.id AND seq = 0) END AS head
		FROM spool_blobs WHERE id = ?`, id); err != nil {
		return nil, nil, fmt.Errorf("store: spool blob %d: %w", id, err)
	}
	b.CreatedAt = utc(b.CreatedAt)
	return &b.SpoolBlob, b.Head, nil
}

// SpoolChunk returns chunk seq of blob id, or ErrNotFound.
func (q *Queries) SpoolChunk(ctx context.Context, id int64, seq int) ([]byte, error) {
	if err := q.blobsSupported(); err != nil {
		return nil, err
	}
	var data []byte
	if err := q.get(ctx, &data, `SELECT data FROM spool_chunks WHERE blob_id = ? AND seq = ?`, id, seq); err != nil {
		return nil, fmt.Errorf("store: spool blob %d chunk %d: %w", id, seq, err)
	}
	return data, nil
}

// DeleteSpoolBlob deletes blob id and its chunks unless a row references
// it; it reports whether it deleted it. A writer that failed half-way
// removes its blob with it.
func (q *Queries) DeleteSpoolBlob(ctx context.Context, id int64) (bool, error) {
	if err := q.blobsSupported(); err != nil {
		return false, err
	}
	n, err := q.exec(ctx, `DELETE FROM spool_blobs WHERE id = ? AND NOT referenced`, id)
	if err != nil {
		return false, fmt.Errorf("store: delete spool blob %d: %w", id, err)
	}
	return n > 0, nil
}

// DeleteOrphanSpoolBlobs deletes the blobs no row references that were
// created before before (finished or not), at most limit (default 100) in
// one statement, and returns how many it deleted. Call it until it
// returns fewer than limit. A blob a transaction is marking referenced at
// the same moment is skipped (its row lock), and a transaction that would
// reference a deleted blob fails with ErrSpoolBlobMissing: the grace
// period (before) only has to cover the time between a blob's creation
// and the commit that references it.
func (q *Queries) DeleteOrphanSpoolBlobs(ctx context.Context, before time.Time, limit int) (int64, error) {
	if err := q.blobsSupported(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		limit = 100
	}
	n, err := q.exec(ctx, `DELETE FROM spool_blobs WHERE id IN (
			SELECT id FROM spool_blobs WHERE NOT referenced AND created_at < ?
			ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED)`, before.UTC(), limit)
	if err != nil {
		return 0, fmt.Errorf("store: delete orphan spool blobs: %w", err)
	}
	return n, nil
}

// linkSpoolBlob marks the blob a new row's spool reference names as
// referenced, in the row's transaction; a reference that is not a blob's
// is left alone. A blob that is gone or unfinished is ErrSpoolBlobMissing,
// which rolls the row back.
func (q *Queries) linkSpoolBlob(ctx context.Context, ref string) error {
	id, ok := ParseSpoolBlobRef(ref)
	if !ok {
		return nil
	}
	if err := q.blobsSupported(); err != nil {
		return err
	}
	n, err := q.exec(ctx, `UPDATE spool_blobs SET referenced = TRUE WHERE id = ? AND size IS NOT NULL`, id)
	if err != nil {
		return fmt.Errorf("store: reference spool blob %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrSpoolBlobMissing, ref)
	}
	return nil
}
