package xfer

import (
	"errors"
	"strings"
	"testing"
)

type nameTest struct {
	name    string
	in      string
	wantErr bool
}

var cleanNameTests = []nameTest{
	{name: "plain", in: "837P_20240101.x12"},
	{name: "spaces and unicode", in: "claims batch é.edi"},
	{name: "max length", in: strings.Repeat("a", MaxNameLen)},
	{name: "too long", in: strings.Repeat("a", MaxNameLen+1), wantErr: true},
	{name: "empty", in: "", wantErr: true},
	{name: "dot", in: ".", wantErr: true},
	{name: "dotdot", in: "..", wantErr: true},
	{name: "traversal", in: "../../etc/passwd", wantErr: true},
	{name: "slash", in: "a/b", wantErr: true},
	{name: "absolute", in: "/etc/passwd", wantErr: true},
	{name: "backslash", in: `..\..\boot.ini`, wantErr: true},
	{name: "nul", in: "a\x00b", wantErr: true},
	{name: "newline", in: "a\nb", wantErr: true},
	{name: "del", in: "a\x7fb", wantErr: true},
	{name: "c1 control", in: "a\u0085b", wantErr: true},
	{name: "invalid utf8", in: "a\xffb", wantErr: true},
	{name: "hidden", in: ".bashrc", wantErr: true},
	{name: "temp", in: TempName("x.edi"), wantErr: true},
}

func TestCleanName(t *testing.T) {
	for _, tt := range cleanNameTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CleanName(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("CleanName(%q) = %q, want error", tt.in, got)
				}
				if !errors.Is(err, ErrUnsafeName) {
					t.Errorf("error %v does not wrap ErrUnsafeName", err)
				}
				var ne *NameError
				if !errors.As(err, &ne) || ne.Name != tt.in || ne.Reason == "" {
					t.Errorf("error %#v is not a *NameError for %q with a reason", err, tt.in)
				}
				return
			}
			if err != nil || got != tt.in {
				t.Fatalf("CleanName(%q) = %q, %v; want it unchanged", tt.in, got, err)
			}
		})
	}
}

var cleanPathTests = []struct {
	name    string
	in      string
	want    string
	wantErr bool
}{
	{name: "empty is base", in: "", want: "."},
	{name: "dot is base", in: ".", want: "."},
	{name: "one element", in: "inbox", want: "inbox"},
	{name: "nested", in: "partners/acme/inbox", want: "partners/acme/inbox"},
	{name: "double slash and trailing", in: "a//b/", want: "a/b"},
	{name: "dot elements", in: "./a/./b", want: "a/b"},
	{name: "temp file allowed", in: "out/" + TempName("x.edi"), want: "out/.x.edi.part"},
	{name: "absolute", in: "/etc/passwd", wantErr: true},
	{name: "leading dotdot", in: "../x", wantErr: true},
	{name: "inner dotdot", in: "a/../../x", wantErr: true},
	{name: "inner dotdot staying inside", in: "a/../b", wantErr: true},
	{name: "backslash", in: `a\..\b`, wantErr: true},
	{name: "nul", in: "a/\x00", wantErr: true},
	{name: "control", in: "in\tbox/x", wantErr: true},
	{name: "element too long", in: "a/" + strings.Repeat("b", MaxElemLen+1), wantErr: true},
	{name: "path too long", in: strings.Repeat("abcdefgh/", MaxPathLen/9+1), wantErr: true},
}

func TestCleanPath(t *testing.T) {
	for _, tt := range cleanPathTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CleanPath(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrUnsafeName) {
					t.Fatalf("CleanPath(%q) = %q, %v; want ErrUnsafeName", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CleanPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCleanFilePathRefusesBase(t *testing.T) {
	for _, in := range []string{"", ".", "./", "a/.."} {
		if got, err := CleanFilePath(in); !errors.Is(err, ErrUnsafeName) {
			t.Errorf("CleanFilePath(%q) = %q, %v; want ErrUnsafeName", in, got, err)
		}
	}
	if got, err := CleanFilePath("in/x.edi"); err != nil || got != "in/x.edi" {
		t.Errorf("CleanFilePath(in/x.edi) = %q, %v", got, err)
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, tt := range cleanPathTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, err := CleanPath(p)
		if err != nil {
			return
		}
		if strings.HasPrefix(c, "/") || c == ".." || strings.HasPrefix(c, "../") || strings.Contains(c, "/../") {
			t.Fatalf("CleanPath(%q) = %q escapes the base", p, c)
		}
	})
}
