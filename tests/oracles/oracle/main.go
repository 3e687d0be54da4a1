// The oracle: what the Rainbond importer of each target does with each case
// of the corpus, computed step by step with the real components (GNU tar,
// busybox, containerd through ctr, dockerd through the docker CLI), and
// ramcheck's per-target verdict beside it. tests/oracles/run starts the
// daemons and calls this; see tests/oracles/README.md.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

var targets = []string{
	"5.16/containerd", "5.16/docker", "6.0/containerd", "6.0/docker",
	"6.7/containerd", "6.7/docker", "6.9/containerd", "6.9/docker",
}

var lines = []string{"5.16", "6.0", "6.7", "6.9"}

// The hub the importer re-tags to (hubInfo.HubURL); a name no case uses.
const hub = "oracle-hub.local"

var (
	casesDir   = flag.String("cases", "target/oracles/cases", "the corpus (cases.tsv and one directory per case)")
	workDir    = flag.String("work", "target/oracles/work", "scratch space for the importer's upload and -cache dirs")
	ramcheck   = flag.String("ramcheck", "target/release/ramcheck", "the ramcheck binary")
	reportsDir = flag.String("reports", "", "read ramcheck's JSON for case C from DIR/C.json instead of running ramcheck")
	ctrSock    = flag.String("ctr-sock", "", "the private containerd's socket")
	dockerSock = flag.String("docker-sock", "", "the private dockerd's socket")
	dockerBin  = flag.String("docker", "/usr/bin/docker", "the docker CLI")
	expected   = flag.String("expected", "tests/oracles/expected-differences.tsv", "the expected differences")
	only       = flag.String("only", "", "a regular expression: run only the cases whose name matches")
	verbose    = flag.Bool("v", false, "print every step")
	selftest   = flag.Bool("selftest", false, "only the comparison's self-test (run on every case anyway): a hand-made report matching the importer must agree, one with the first target's verdict flipped must disagree there; ramcheck is not run")
)

// outcome is the importer's result on one target.
type outcome struct {
	Fail    bool
	Step    string
	Message string
}

func (o outcome) String() string {
	if !o.Fail {
		return "import succeeds"
	}
	return fmt.Sprintf("fails at %s: %s", o.Step, o.Message)
}

func ok() outcome { return outcome{} }

func fail(step, format string, a ...interface{}) outcome {
	msg := strings.TrimSpace(fmt.Sprintf(format, a...))
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return outcome{true, step, msg}
}

func run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if *verbose {
		fmt.Printf("    $ %s %s -> %v\n", name, strings.Join(args, " "), err)
	}
	return out.String(), err
}

// ---- unpacking ---------------------------------------------------------

type unpacker struct {
	name string
	// extract runs `tar -xzf archive -C dir` with this unpacker.
	extract func(archive, dir string) (string, error)
}

var unpackers = []unpacker{
	{"busybox", func(a, d string) (string, error) { return run("busybox", "tar", "-xzf", a, "-C", d) }},
	{"gnu", func(a, d string) (string, error) { return run("tar", "-xzf", a, "-C", d) }},
}

// unzip is oam util.Unzip with Go's archive/zip, which like oam's fork
// knows Store and Deflate only.
func unzip(archive, target string) error {
	r, err := zip.OpenReader(archive)
	if err != nil {
		return fmt.Errorf("error opening archive: %v", err)
	}
	defer r.Close()
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	for _, f := range r.File {
		p := filepath.Join(target, f.Name)
		if f.FileInfo().IsDir() {
			os.MkdirAll(p, f.Mode())
			continue
		}
		err := func() error {
			rc, err := f.Open()
			if err != nil {
				return fmt.Errorf("fileReader; error opening file: %v", err)
			}
			defer rc.Close()
			w, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, f.Mode())
			if err != nil {
				return fmt.Errorf("targetFile; error opening file: %v", err)
			}
			defer w.Close()
			if _, err := io.Copy(w, rc); err != nil {
				return fmt.Errorf("error copy file: %v", err)
			}
			return nil
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// treeDigest describes an extracted tree (paths, types, link targets,
// contents) so two unpackers' results can be compared.
func treeDigest(dir string) string {
	var b strings.Builder
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %v", rel, info.Mode().Type())
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			t, _ := os.Readlink(p)
			fmt.Fprintf(&b, " -> %s", t)
		case info.Mode().IsRegular():
			f, err := os.Open(p)
			if err == nil {
				h := sha256.New()
				io.Copy(h, f)
				f.Close()
				fmt.Fprintf(&b, " %s", hex.EncodeToString(h.Sum(nil))[:16])
			}
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}

// ---- the runtimes ------------------------------------------------------

type image struct {
	field string // apps[0].share_image
	name  string
	null  bool // the entry itself is null
}

type runtime interface {
	name() string
	// fresh starts an empty image store for one import.
	fresh(key string)
	load(tarFile string) error
	// tag re-tags source to target the way oam's image client does.
	tag(source, target string) error
}

type containerd struct{ ns string }

func (c *containerd) name() string { return "containerd" }

func (c *containerd) fresh(key string) { c.ns = key }

func (c *containerd) ctr(args ...string) (string, error) {
	return run("ctr", append([]string{"-a", *ctrSock, "-n", c.ns}, args...)...)
}

// ctrBaseName keeps ctr's default "import-<date>" ref translator off: with
// it, ctr drops an `org.opencontainers.image.ref.name` holding ':', '/' or
// '@' (web:1.0), while the importer (client.Import without options) names
// the image by it raw. With --base-name such a ref is kept raw, as the
// importer does; a bare one (`1.0`) becomes `<base>:1.0` where the importer
// keeps `1.0`: neither can equal a normalised share_image.
const ctrBaseName = "oracle.invalid/unnamed"

// load is client.Import as Rainbond's pinned containerd v1.5.13 client runs
// it (no unpack). The error text the importer compares is the bare error;
// ctr prints it after "ctr: ".
//
// containerd 1.6 (here) differs from 1.5.13 in one place: Import walks the
// index with WalkNotEmpty, which fails with "image might be filtered out"
// when the platform filter leaves no manifest (or the index has none),
// where 1.5.13's Walk creates the image records and returns nil. So the
// import runs with --all-platforms (the filter only decides which content
// 1.5.13 labels for keeping, which matters at push, not modelled) and that
// error is what 1.5.13 would not return: success.
func (c *containerd) load(f string) error {
	out, err := c.ctr("images", "import", "--no-unpack", "--all-platforms", "--base-name", ctrBaseName, f)
	if err != nil {
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lastLine(out)), "ctr: "))
		if msg == "image might be filtered out" {
			return nil
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// tag is containerdImageCliImpl.ImageTag: both names through
// ParseDockerRef, then ImageService Get + Create.
func (c *containerd) tag(source, target string) error {
	src, err := parseDockerRef(source)
	if err != nil {
		return err
	}
	dst, err := parseDockerRef(target)
	if err != nil {
		return err
	}
	out, err := c.ctr("images", "tag", "--force", src, dst)
	if err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(strings.TrimSpace(lastLine(out)), "ctr: "))
	}
	return nil
}

type docker struct{}

func (d *docker) name() string { return "docker" }

func (d *docker) cli(args ...string) (string, error) {
	return run(*dockerBin, append([]string{"-H", "unix://" + *dockerSock}, args...)...)
}

// fresh removes every image of the private dockerd.
func (d *docker) fresh(string) {
	out, _ := d.cli("image", "ls", "-aq", "--no-trunc")
	ids := strings.Fields(out)
	if len(ids) > 0 {
		d.cli(append([]string{"rmi", "-f"}, ids...)...)
	}
}

func (d *docker) load(f string) error {
	out, err := d.cli("load", "-i", f)
	if err != nil {
		return fmt.Errorf("%s", strings.TrimSpace(out))
	}
	return nil
}

func (d *docker) tag(source, target string) error {
	out, err := d.cli("tag", source, target)
	if err != nil {
		return fmt.Errorf("%s", strings.TrimSpace(out))
	}
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// loadAndTag is the end of Import: ImageLoad on each kept *.tar
// (tolerating exactly "unrecognized image format"), then for every
// component and plugin NewImageName + ImageTag, with the pre-5.3 save name
// retried on Docker's "No such image". ImagePush is not modelled.
func loadAndTag(rt runtime, key string, tars []string, images []image) outcome {
	rt.fresh(key)
	for _, f := range tars {
		if err := rt.load(f); err != nil {
			if err.Error() != "unrecognized image format" {
				return fail("ImageLoad "+shortPath(f), "%v", err)
			}
			if *verbose {
				fmt.Printf("    %s: unrecognized image format (tolerated)\n", shortPath(f))
			}
		}
	}
	for _, im := range images {
		if im.null {
			return fail("tag "+im.field, "panic: nil pointer dereference (%s is null)", strings.TrimSuffix(im.field, ".share_image"))
		}
		newName, err := newImageName(im.name, hub)
		if err != nil {
			return fail("NewImageName "+im.field, "parse image failure %v (share_image %q)", err, im.name)
		}
		err = rt.tag(im.name, newName)
		if err != nil && strings.Contains(err.Error(), "No such image") {
			old, err2 := oldSaveImageName(im.name)
			if err2 != nil {
				return fail("GetOldSaveImageName "+im.field, "%v", err2)
			}
			if err = rt.tag(old, newName); err == nil && *verbose {
				fmt.Printf("    %s found under its pre-5.3 name %s\n", im.name, old)
			}
		}
		if err != nil {
			return fail("ImageTag "+im.field, "%v", err)
		}
	}
	return ok()
}

// shortPath is a loaded file's path from the top directory on.
func shortPath(f string) string {
	if i := strings.Index(f, "-cache/"); i >= 0 {
		return f[i+len("-cache/"):]
	}
	return f
}

// ---- one import ----------------------------------------------------------

// importer runs rainbond-oam's Import for one case with one unpacker.
type importer struct {
	caseIdx int
	upload  string // the file under the importer's source dir
	unpack  unpacker
	memo    map[string]outcome
	note    []string
}

// importAll is what the builder does with the console's list of names:
// the console splits the upload's name on ',', and every part is imported
// from <source dir>/<part>.
func (im *importer) importAll(line string, rt runtime) outcome {
	src := filepath.Dir(im.upload)
	for i, part := range strings.Split(filepath.Base(im.upload), ",") {
		o := im.importOne(filepath.Join(src, part), fmt.Sprintf("%d", i), line, rt)
		if o.Fail {
			if strings.Contains(filepath.Base(im.upload), ",") {
				o.Step = fmt.Sprintf("console split (%q) → %s", part, o.Step)
			}
			return o
		}
	}
	return ok()
}

func (im *importer) cacheDir(appFile string) string { return appFile + "-cache" }

// extracted holds the unpacking of one app file (shared by every line).
type extracted struct {
	out outcome
	dir string
}

var (
	extractions   = map[string]extracted{}
	extractionsMu sync.Mutex
)

func (im *importer) extract(appFile string) extracted {
	key := im.unpack.name + "\x00" + appFile
	extractionsMu.Lock()
	defer extractionsMu.Unlock()
	if e, ok := extractions[key]; ok {
		return e
	}
	dir := im.cacheDir(appFile)
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	e := extracted{dir: dir}
	if path.Ext(appFile) == ".zip" {
		if err := unzip(appFile, dir); err != nil {
			e.out = fail("Unzip", "%v", err)
		}
	} else if out, err := im.unpack.extract(appFile, dir); err != nil {
		e.out = fail("Untar ("+im.unpack.name+" tar -xzf)", "%v: %s", err, out)
	}
	extractions[key] = e
	return e
}

func (im *importer) importOne(appFile, part, line string, rt runtime) outcome {
	e := im.extract(appFile)
	if e.out.Fail {
		return e.out
	}
	entries, _ := os.ReadDir(e.dir)
	if len(entries) < 1 {
		return fail("ReadDir", "Failed to read files in tmp dir %s (empty)", filepath.Base(e.dir))
	}
	top := filepath.Join(e.dir, entries[0].Name())
	data, err := os.ReadFile(filepath.Join(top, "metadata.json"))
	if err != nil {
		return fail("open metadata.json", "Failed to read files in tmp dir: open %s/metadata.json: %v", entries[0].Name(), errText(err))
	}
	ram, err := decodeForLine(data, line)
	if err != nil {
		return fail("Decode metadata.json", "Failed to read meta file : %v", err)
	}
	if line == "6.9" {
		if step, err := handleNullAndValidate(ram); err != nil {
			return fail(step, "%v", err)
		}
	}
	files := fileList(top)
	var tars []string
	for _, f := range files {
		if line != "5.16" && strings.Contains(f, "plugin") && len(ram.Plugins) == 0 {
			continue
		}
		if strings.HasSuffix(f, ".tar") {
			tars = append(tars, f)
		}
	}
	var images []image
	for i, c := range ram.Components {
		if c == nil {
			images = append(images, image{field: fmt.Sprintf("apps[%d].share_image", i), null: true})
		} else {
			images = append(images, image{field: fmt.Sprintf("apps[%d].share_image", i), name: c.ShareImage})
		}
	}
	for i, p := range ram.Plugins {
		if p == nil {
			images = append(images, image{field: fmt.Sprintf("plugins[%d].share_image", i), null: true})
		} else {
			images = append(images, image{field: fmt.Sprintf("plugins[%d].share_image", i), name: p.ShareImage})
		}
	}
	// The load and re-tag depend only on the archives loaded and the names
	// looked up: lines that agree on both share one run.
	var key strings.Builder
	key.WriteString(rt.name() + "\x00" + im.unpack.name + "\x00" + part)
	for _, t := range tars {
		key.WriteString("\x00" + t)
	}
	for _, i := range images {
		fmt.Fprintf(&key, "\x01%s %v", i.name, i.null)
	}
	if o, ok := im.memo[key.String()]; ok {
		return o
	}
	ns := fmt.Sprintf("oracle-%d-%s-%s-%d", im.caseIdx, im.unpack.name, part, len(im.memo))
	o := loadAndTag(rt, ns, tars, images)
	im.memo[key.String()] = o
	return o
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// fileList is GetFileList(top, 1) followed by GetFileList(top, 2): files
// (by Lstat) of the top directory, then files of its subdirectories,
// each listing sorted by name.
func fileList(top string) []string {
	var l1, l2 []string
	entries, _ := os.ReadDir(top)
	for _, e := range entries {
		if !e.IsDir() {
			l1 = append(l1, filepath.Join(top, e.Name()))
		}
	}
	for _, e := range entries {
		if e.IsDir() {
			sub, _ := os.ReadDir(filepath.Join(top, e.Name()))
			for _, s := range sub {
				if !s.IsDir() {
					l2 = append(l2, filepath.Join(top, e.Name(), s.Name()))
				}
			}
		}
	}
	return append(l1, l2...)
}

// ---- ramcheck ------------------------------------------------------------

type report struct {
	Verdict string `json:"verdict"`
	Targets []struct {
		Target  string `json:"target"`
		Verdict string `json:"verdict"`
	} `json:"targets"`
	Findings []struct {
		Code     string   `json:"code"`
		Severity string   `json:"severity"`
		Location string   `json:"location"`
		FailsOn  []string `json:"fails_on"`
	} `json:"findings"`
}

// ramcheckVerdicts returns ramcheck's verdict per target and, per target,
// the codes of the findings that fail on it.
func ramcheckVerdicts(name, file string) (map[string]string, map[string][]string, string, error) {
	var out []byte
	var note string
	if *reportsDir != "" {
		b, err := os.ReadFile(filepath.Join(*reportsDir, name+".json"))
		if err != nil {
			return nil, nil, "", err
		}
		out = b
	} else {
		cmd := exec.Command(*ramcheck, "--format", "json", "--target", "all", "--deep", file)
		o, _ := cmd.Output()
		out = o
		if !bytes.Contains(o, []byte(`"verdict"`)) {
			// A ramcheck without --target: one verdict for every target.
			o, _ = exec.Command(*ramcheck, "--format", "json", "--deep", file).Output()
			out = o
			note = "ramcheck has no --target: its one verdict is used for every target"
		}
	}
	line := bytes.SplitN(bytes.TrimSpace(out), []byte("\n"), 2)[0]
	var r report
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, nil, "", fmt.Errorf("ramcheck's output is not a JSON report: %v: %.200s", err, out)
	}
	verdicts := map[string]string{}
	codes := map[string][]string{}
	if len(r.Targets) == 0 {
		if note == "" {
			note = "the report has no `targets`: its one verdict is used for every target"
		}
		for _, t := range targets {
			verdicts[t] = r.Verdict
		}
		for _, f := range r.Findings {
			if f.Severity == "error" {
				for _, t := range targets {
					codes[t] = append(codes[t], f.Code)
				}
			}
		}
		return verdicts, codes, note, nil
	}
	for _, t := range r.Targets {
		verdicts[t.Target] = t.Verdict
	}
	for _, f := range r.Findings {
		for _, t := range f.FailsOn {
			codes[t] = append(codes[t], f.Code)
		}
	}
	for _, t := range targets {
		if _, ok := verdicts[t]; !ok {
			return nil, nil, "", fmt.Errorf("the report's targets lack %s", t)
		}
	}
	return verdicts, codes, note, nil
}

// ---- expected differences -----------------------------------------------

type expectation struct {
	caseName string
	targets  []string // globs over targets
	reason   string
	used     bool
}

func readExpected(p string) ([]*expectation, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var list []*expectation
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		l := s.Text()
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		cols := strings.SplitN(l, "\t", 3)
		if len(cols) != 3 {
			return nil, fmt.Errorf("%s:%d: want case<TAB>targets<TAB>reason", p, n)
		}
		list = append(list, &expectation{cols[0], strings.Split(cols[1], ","), cols[2], false})
	}
	return list, s.Err()
}

func (e *expectation) covers(c, t string) bool {
	if ok, _ := filepath.Match(e.caseName, c); !ok {
		return false
	}
	for _, g := range e.targets {
		if g == "all" {
			return true
		}
		if ok, _ := filepath.Match(g, t); ok {
			return true
		}
	}
	return false
}

// ---- main ------------------------------------------------------------------

type row struct {
	name    string
	cells   []string
	details []string
}

func main() {
	flag.Parse()
	start := time.Now()
	exps, err := readExpected(*expected)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var filter *regexp.Regexp
	if *only != "" {
		filter = regexp.MustCompile(*only)
	}
	index, err := os.ReadFile(filepath.Join(*casesDir, "cases.tsv"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.RemoveAll(*workDir)
	var rows []row
	disagreements, expectedCount, cells, selftestFailures := 0, 0, 0, 0
	var tarNotes, notes []string
	timing := map[string]time.Duration{}
	for i, l := range strings.Split(strings.TrimSpace(string(index)), "\n") {
		cols := strings.SplitN(l, "\t", 3)
		name, file := cols[0], cols[1]
		if filter != nil && !filter.MatchString(name) {
			continue
		}
		caseStart := time.Now()
		fmt.Printf("%-40s", name)
		// The upload as the builder sees it: <source dir>/<file name>.
		src := filepath.Join(*workDir, fmt.Sprintf("%03d", i))
		os.MkdirAll(src, 0o755)
		upload := filepath.Join(src, file)
		copyFile(filepath.Join(*casesDir, name, file), upload)

		real := map[string]outcome{}
		byUnpacker := map[string]map[string]outcome{}
		var trees []string
		unpackNote := ""
		for _, u := range unpackers {
			im := &importer{caseIdx: i, upload: upload, unpack: u, memo: map[string]outcome{}}
			res := map[string]outcome{}
			// GNU tar's outcome is computed only where its tree differs
			// from busybox's (or it fails where busybox does not).
			if u.name == "gnu" {
				if strings.HasSuffix(file, ".zip") {
					continue // unzipped by Go, not by tar
				}
				e := im.extract(upload)
				be := extractions["busybox\x00"+upload]
				if e.out.Fail == be.out.Fail && treeDigest(e.dir) == trees[0] {
					continue
				}
				unpackNote = fmt.Sprintf("%s: GNU tar and busybox leave different trees (GNU: %s; busybox: %s), with the same outcome on every target", name, describe(e.out), describe(be.out))
			}
			// Unpack once, then the two daemons work side by side, each
			// with its own memo of load-and-tag runs.
			for _, part := range strings.Split(filepath.Base(upload), ",") {
				im.extract(filepath.Join(filepath.Dir(upload), part))
			}
			var mu sync.Mutex
			var wg sync.WaitGroup
			for _, rt := range []runtime{&containerd{}, &docker{}} {
				wg.Add(1)
				go func(rt runtime) {
					defer wg.Done()
					own := &importer{caseIdx: i, upload: upload, unpack: u, memo: map[string]outcome{}}
					t0 := time.Now()
					for _, line := range lines {
						o := own.importAll(line, rt)
						mu.Lock()
						res[line+"/"+rt.name()] = o
						mu.Unlock()
					}
					mu.Lock()
					timing[rt.name()] += time.Since(t0)
					mu.Unlock()
				}(rt)
			}
			wg.Wait()
			byUnpacker[u.name] = res
			if u.name == "busybox" {
				real = res
				e := im.extract(upload)
				trees = append(trees, treeDigest(e.dir))
			}
		}
		if gnu, ok := byUnpacker["gnu"]; ok {
			var order []string
			group := map[string][]string{}
			for _, t := range targets {
				if gnu[t] != real[t] {
					k := fmt.Sprintf("with GNU tar the import %s; with busybox it %s", gnu[t], real[t])
					if _, seen := group[k]; !seen {
						order = append(order, k)
					}
					group[k] = append(group[k], t)
				}
			}
			if len(order) == 0 && unpackNote != "" {
				tarNotes = append(tarNotes, unpackNote)
			}
			for _, k := range order {
				ts := strings.Join(group[k], ", ")
				if len(group[k]) == len(targets) {
					ts = "every target"
				}
				tarNotes = append(tarNotes, fmt.Sprintf("%s (%s): %s", name, ts, k))
			}
		}
		// The comparison itself is checked on every case: a report that
		// matches the importer must agree, a doctored one must not.
		selftestFailures += runSelftest(name, real)
		if *selftest {
			fmt.Println()
			continue
		}
		t0 := time.Now()
		verdicts, codes, note, err := ramcheckVerdicts(name, upload)
		timing["ramcheck"] += time.Since(t0)
		r := row{name: name}
		if len(tarNotes) > 0 && strings.HasPrefix(tarNotes[len(tarNotes)-1], name+" ") || len(tarNotes) > 0 && strings.HasPrefix(tarNotes[len(tarNotes)-1], name+":") {
			r.name += " †"
		}
		if err != nil {
			fmt.Printf(" ramcheck: %v\n", err)
			r.details = append(r.details, "ramcheck: "+err.Error())
			for range targets {
				r.cells = append(r.cells, "✗ ?")
			}
			disagreements += len(targets)
			rows = append(rows, r)
			continue
		}
		if note != "" && !contains(notes, note) {
			notes = append(notes, note)
		}
		for _, t := range targets {
			cells++
			o := real[t]
			v := verdicts[t]
			realWord := "ok"
			if o.Fail {
				realWord = "FAIL"
			}
			agree := o.Fail == (v == "fail")
			var exp *expectation
			for _, e := range exps {
				if e.covers(name, t) {
					exp = e
					break
				}
			}
			switch {
			case agree:
				r.cells = append(r.cells, "✓ "+realWord)
			case exp != nil:
				exp.used = true
				expectedCount++
				r.cells = append(r.cells, fmt.Sprintf("≈ %s/%s", realWord, v))
				r.details = append(r.details, fmt.Sprintf("  ≈ %s: importer %s; ramcheck %s %v. Expected: %s", t, o, v, codes[t], exp.reason))
			default:
				disagreements++
				r.cells = append(r.cells, fmt.Sprintf("✗ %s/%s", realWord, v))
				r.details = append(r.details, fmt.Sprintf("  ✗ %s: importer %s; ramcheck %s %v", t, o, v, codes[t]))
			}
		}
		fmt.Printf(" %s  (%.1fs)\n", strings.Join(r.cells, " "), time.Since(caseStart).Seconds())
		if *verbose {
			for _, t := range targets {
				fmt.Printf("    %s: %s\n", t, real[t])
			}
		}
		rows = append(rows, r)
	}

	if *selftest {
		fmt.Printf("comparison self-test: %d failures\n", selftestFailures)
		if selftestFailures > 0 {
			os.Exit(1)
		}
		return
	}
	fmt.Printf("\n## Agreement: the importer (real components) against ramcheck, per target\n\n")
	fmt.Printf("Cell: ✓ agree (ok = the import succeeds, FAIL = it fails); ✗ disagree (importer/ramcheck verdict); ≈ a listed expected difference. † GNU tar and busybox differ (below).\n\n")
	fmt.Printf("| case | %s |\n|---|%s\n", strings.Join(targets, " | "), strings.Repeat("---|", len(targets)))
	for _, r := range rows {
		fmt.Printf("| %s | %s |\n", r.name, strings.Join(r.cells, " | "))
	}
	fmt.Println()
	for _, r := range rows {
		if len(r.details) > 0 {
			fmt.Printf("%s\n%s\n", r.name, strings.Join(r.details, "\n"))
		}
	}
	if len(tarNotes) > 0 {
		fmt.Printf("\n## GNU tar and busybox differ (the outcomes above are busybox's, the rbd-chaos image's tar)\n\n")
		for _, n := range tarNotes {
			fmt.Println("- " + n)
		}
	}
	for _, n := range notes {
		fmt.Println("\nNote: " + n)
	}
	fmt.Println("\nNot in the corpus (tests/oracles/README.md): PKG009 (ramcheck's own limit, no component has one), SUM001/SUM002 (sizes, no import failure).")
	if filter == nil {
		for _, e := range exps {
			if !e.used {
				fmt.Printf("\nStale expected difference (no disagreement left): %s %s: %s\n", e.caseName, strings.Join(e.targets, ","), e.reason)
			}
		}
	}
	var keys []string
	for k := range timing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("\n%d cases × %d targets: %d agree, %d expected differences, %d disagreements. %.0fs (", len(rows), len(targets), cells-disagreements-expectedCount, expectedCount, disagreements, time.Since(start).Seconds())
	for i, k := range keys {
		if i > 0 {
			fmt.Print(", ")
		}
		fmt.Printf("%s %.0fs", k, timing[k].Seconds())
	}
	fmt.Println(")")
	if selftestFailures > 0 {
		fmt.Printf("The comparison's self-test failed %d times (a matching report disagreed or a doctored one agreed): see above.\n", selftestFailures)
	} else {
		fmt.Printf("Comparison self-test: on every case a report matching the importer agrees and one with a flipped verdict disagrees.\n")
	}
	if disagreements > 0 || selftestFailures > 0 {
		os.Exit(1)
	}
}

func describe(o outcome) string {
	if o.Fail {
		return o.Message
	}
	return "unpacks"
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func copyFile(from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// runSelftest writes two reports in the contract's shape for one case, one
// matching the importer and one with the first target flipped, reads them
// back through ramcheckVerdicts, and returns how many comparisons came out
// wrong (the matching one must agree everywhere, the doctored one must
// disagree exactly on the flipped target).
func runSelftest(name string, real map[string]outcome) int {
	dir := filepath.Join(*workDir, "selftest")
	bad := 0
	for _, doctored := range []bool{false, true} {
		type row struct {
			Target  string `json:"target"`
			Verdict string `json:"verdict"`
		}
		var rows []row
		var failsOn []string
		worst := "pass"
		for i, t := range targets {
			fails := real[t].Fail
			if doctored && i == 0 {
				fails = !fails
			}
			v := "pass"
			if fails {
				v, worst = "fail", "fail"
				failsOn = append(failsOn, t)
			}
			rows = append(rows, row{t, v})
		}
		rep := map[string]interface{}{
			"target": "all", "verdict": worst, "targets": rows,
			"findings": []map[string]interface{}{{"code": "SELFTEST", "severity": "error", "fails_on": failsOn}},
		}
		sub := filepath.Join(dir, fmt.Sprint(doctored))
		os.MkdirAll(sub, 0o755)
		b, _ := json.Marshal(rep)
		os.WriteFile(filepath.Join(sub, name+".json"), b, 0o644)
		saved := *reportsDir
		*reportsDir = sub
		verdicts, _, _, err := ramcheckVerdicts(name, "")
		*reportsDir = saved
		if err != nil {
			fmt.Printf(" selftest: %v\n", err)
			return 1
		}
		for i, t := range targets {
			agree := real[t].Fail == (verdicts[t] == "fail")
			if agree == (doctored && i == 0) {
				fmt.Printf(" selftest: doctored=%v %s: agree=%v\n", doctored, t, agree)
				bad++
			}
		}
	}
	return bad
}
