package config

import (
	"flag"
	"os"
	"strings"
	"testing"
)

// update rewrites the generated files instead of comparing them:
//
//	go test ./internal/config/ -run TestEnvExample -update
var update = flag.Bool("update", false, "rewrite ../../.env.example from Vars")

const envExamplePath = "../../.env.example"

// envExample renders Vars as an environment file: each variable commented
// out at its default, under its meaning, so a copy changes nothing until
// a line is uncommented.
func envExample() string {
	var b strings.Builder
	b.WriteString("# Gatehouse's settings, each at its default. Copy to .env (or your deployment's\n" +
		"# environment) and uncomment what you change. Generated from internal/config.Vars;\n" +
		"# after adding a variable there, regenerate:\n" +
		"#   go test ./internal/config/ -run TestEnvExample -update\n")
	for _, v := range Vars {
		b.WriteString("\n")
		for _, line := range wrap(v.Meaning, 96) {
			b.WriteString("# " + line + "\n")
		}
		b.WriteString("#" + v.Name + "=" + v.Default + "\n")
	}
	return b.String()
}

// wrap breaks s into lines of at most width bytes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// TestEnvExample keeps .env.example what Vars says: a variable added,
// renamed or re-documented without regenerating fails here.
func TestEnvExample(t *testing.T) {
	want := envExample()
	if *update {
		if err := os.WriteFile(envExamplePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(envExamplePath)
	if err != nil {
		t.Fatalf("%v; generate it: go test ./internal/config/ -run TestEnvExample -update", err)
	}
	if string(got) != want {
		t.Fatalf(".env.example is out of date with config.Vars; regenerate it: go test ./internal/config/ -run TestEnvExample -update")
	}
	for _, v := range Vars {
		if !strings.Contains(string(got), "\n#"+v.Name+"=") {
			t.Errorf(".env.example lacks %s", v.Name)
		}
	}
}
