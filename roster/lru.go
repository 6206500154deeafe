package roster

import (
	"container/list"
	"sync"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// lru is a small least-recently-used cache of roster lookups with an
// expiry per entry. It holds PHI in memory only.
type lru struct {
	mu    sync.Mutex
	size  int
	order *list.List // front = most recently used
	items map[lruKey]*list.Element
}

// lruKey is what a cached lookup read: kind (keyID, keyFamily, keyStem,
// keyFold) and the value it was given.
type lruKey struct {
	kind byte
	arg  string
}

// The kinds of lookup the cache holds.
const (
	keyID     byte = iota // FindMembersByID
	keyFamily             // FindMembersByFamily
	keyStem               // FindMembersByIDStem
	keyFold               // FindMembersByFoldedID
)

type lruEntry struct {
	key     lruKey
	members []store.Member
	expires time.Time
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), items: map[lruKey]*list.Element{}}
}

// get returns the cached members for key unless missing or expired at now.
// The slice is shared: callers must not modify it.
func (c *lru) get(key lruKey, now time.Time) ([]store.Member, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*lruEntry)
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.members, true
}

// put stores members under key until expires, evicting the least recently
// used entry when full.
func (c *lru) put(key lruKey, members []store.Member, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*lruEntry)
		e.members, e.expires = members, expires
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.size {
		// Full: the least recently used entry is evicted and its element
		// holds the new one (no allocation once the cache has filled).
		last := c.order.Back()
		e := last.Value.(*lruEntry)
		delete(c.items, e.key)
		*e = lruEntry{key: key, members: members, expires: expires}
		c.order.MoveToFront(last)
		c.items[key] = last
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry{key: key, members: members, expires: expires})
}

// purge drops every entry.
func (c *lru) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
}
