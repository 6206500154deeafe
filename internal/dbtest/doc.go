// Package dbtest gives tests a real, isolated, migrated store on each
// database engine the clearinghouse supports.
//
// SQLite always runs, on a file in t.TempDir(). PostgreSQL runs when
// DATABASE_URL points at a server; each test gets its own schema (selected
// through the search_path URL parameter) that is dropped when the test
// ends, so tests never see each other's rows. Without DATABASE_URL the
// PostgreSQL tests skip, except under CI=true, where they fail.
//
// Usage:
//
//	func TestThing(t *testing.T) {
//		for _, b := range dbtest.Backends() {
//			t.Run(b.Name, func(t *testing.T) {
//				s := dbtest.Open(t, store.Config{URL: b.URL(t)})
//				// ... use s ...
//			})
//		}
//	}
//
// OpenSQLite(t) and OpenPostgres(t) are shorthands for one engine. To
// simulate several engine processes, open several stores on one
// b.URL(t).
package dbtest
