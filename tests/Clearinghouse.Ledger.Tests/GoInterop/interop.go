// Reads commands on stdin and checks them with golang.org/x/mod/sumdb/note and .../tlog, the reference
// implementations our checkpoints and proofs must satisfy. Exits non-zero with a message on the first failure.
// Finally signs a note with a fresh Go key and prints it, for the C# side to open.
//
//	key <verifier key>
//	note <base64 of a signed note>                      note.Open must accept it with the key
//	leaf <base64 entry> <base64 leaf hash>               tlog.RecordHash(entry) must equal the hash
//	record <index> <size> <root> <leaf> [proof hash...]  tlog.CheckRecord must accept
//	tree <size> <root> <old size> <old root> [proof...]  tlog.CheckTree must accept
//	badrecord / badtree with the same arguments          must be rejected
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func hash(s string) tlog.Hash {
	h, err := tlog.ParseHash(s)
	if err != nil {
		fail("bad hash %q: %v", s, err)
	}
	return h
}

func number(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fail("bad number %q", s)
	}
	return n
}

func hashes(fields []string) []tlog.Hash {
	var out []tlog.Hash
	for _, f := range fields {
		out = append(out, hash(f))
	}
	return out
}

func main() {
	var verifiers note.Verifiers
	checked := 0
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "key":
			v, err := note.NewVerifier(f[1])
			if err != nil {
				fail("note.NewVerifier(%q): %v", f[1], err)
			}
			verifiers = note.VerifierList(v)
		case "note":
			msg, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil {
				fail("bad base64 note")
			}
			n, err := note.Open(msg, verifiers)
			if err != nil {
				fail("note.Open: %v\n%s", err, msg)
			}
			if len(n.Sigs) != 1 {
				fail("note.Open verified %d signatures", len(n.Sigs))
			}
		case "leaf":
			entry, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil {
				fail("bad base64 entry")
			}
			if got := tlog.RecordHash(entry); got != hash(f[2]) {
				fail("tlog.RecordHash = %v, ours %v", got, f[2])
			}
		case "record", "badrecord":
			err := tlog.CheckRecord(hashes(f[5:]), number(f[2]), hash(f[3]), number(f[1]), hash(f[4]))
			if (err == nil) != (f[0] == "record") {
				fail("tlog.CheckRecord(%s): %v", strings.Join(f[1:5], " "), err)
			}
		case "tree", "badtree":
			err := tlog.CheckTree(hashes(f[5:]), number(f[1]), hash(f[2]), number(f[3]), hash(f[4]))
			if (err == nil) != (f[0] == "tree") {
				fail("tlog.CheckTree(%s): %v", strings.Join(f[1:5], " "), err)
			}
		default:
			fail("unknown command %q", f[0])
		}
		checked++
	}

	skey, vkey, err := note.GenerateKey(rand.Reader, "go.example/log")
	if err != nil {
		fail("GenerateKey: %v", err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		fail("NewSigner: %v", err)
	}
	msg, err := note.Sign(&note.Note{Text: "go.example/log\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"}, signer)
	if err != nil {
		fail("Sign: %v", err)
	}
	fmt.Printf("checked %d\n", checked)
	fmt.Printf("gonote %s %s\n", vkey, base64.StdEncoding.EncodeToString(msg))
}
