// Image references as the importer parses them: the grammar of the
// docker/distribution reference package (written here from its documented
// grammar), ParseNormalizedNamed, containerd's ParseDockerRef, and
// rainbond-oam's NewImageName / GetOldSaveImageName.
package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

const (
	alnum           = `[a-z0-9]+`
	separator       = `(?:[._]|__|[-]*)`
	pathComponent   = alnum + `(?:` + separator + alnum + `)*`
	domainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	domainPart      = domainComponent + `(?:\.` + domainComponent + `)*(?::[0-9]+)?`
	namePart        = `(?:` + domainPart + `/)?` + pathComponent + `(?:/` + pathComponent + `)*`
	tagPart         = `[\w][\w.-]{0,127}`
	digestPart      = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`
)

var (
	referenceRe  = regexp.MustCompile(`^(` + namePart + `)(?::(` + tagPart + `))?(?:@(` + digestPart + `))?$`)
	identifierRe = regexp.MustCompile(`^[a-f0-9]{64}$`)
)

type ref struct {
	domain, path, tag, digest string
}

func (r ref) name() string { return r.domain + "/" + r.path }

func (r ref) String() string {
	s := r.name()
	if r.tag != "" {
		s += ":" + r.tag
	}
	if r.digest != "" {
		s += "@" + r.digest
	}
	return s
}

// parse is reference.Parse on an already normalised string.
func parse(s string) (ref, error) {
	m := referenceRe.FindStringSubmatch(s)
	if m == nil {
		if s == "" {
			return ref{}, errors.New("repository name must have at least one component")
		}
		if referenceRe.MatchString(strings.ToLower(s)) {
			return ref{}, errors.New("repository name must be lowercase")
		}
		return ref{}, errors.New("invalid reference format")
	}
	if len(m[1]) > 255 {
		return ref{}, errors.New("repository name must not be more than 255 characters")
	}
	if m[3] != "" {
		alg, hex, _ := strings.Cut(m[3], ":")
		if alg == "sha256" && len(hex) != 64 || alg == "sha512" && len(hex) != 128 {
			return ref{}, errors.New("invalid checksum digest length")
		}
	}
	r := ref{tag: m[2], digest: m[3]}
	name := m[1]
	if i := strings.IndexByte(name, '/'); i >= 0 && (strings.ContainsAny(name[:i], ".:") || name[:i] == "localhost") {
		r.domain, r.path = name[:i], name[i+1:]
	} else {
		r.domain, r.path = "", name
	}
	return r, nil
}

// parseNormalizedNamed is reference.ParseNormalizedNamed.
func parseNormalizedNamed(s string) (ref, error) {
	if identifierRe.MatchString(s) {
		return ref{}, fmt.Errorf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s)
	}
	domain, remainder := "docker.io", s
	if i := strings.IndexByte(s, '/'); i >= 0 && (strings.ContainsAny(s[:i], ".:") || s[:i] == "localhost") {
		domain, remainder = s[:i], s[i+1:]
	}
	if domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.ContainsRune(remainder, '/') {
		remainder = "library/" + remainder
	}
	remote := remainder
	if i := strings.IndexByte(remainder, ':'); i >= 0 {
		remote = remainder[:i]
	}
	if strings.ToLower(remote) != remote {
		return ref{}, errors.New("invalid reference format: repository name must be lowercase")
	}
	r, err := parse(domain + "/" + remainder)
	if err != nil {
		return ref{}, err
	}
	if r.domain == "" {
		return ref{}, fmt.Errorf("invalid reference format: %s", s)
	}
	return r, nil
}

// parseDockerRef is containerd's reference/docker.ParseDockerRef: normalised,
// a tag dropped when a digest is present, `latest` added when neither is.
func parseDockerRef(s string) (string, error) {
	r, err := parseNormalizedNamed(s)
	if err != nil {
		return "", err
	}
	if r.digest != "" {
		r.tag = ""
	} else if r.tag == "" {
		r.tag = "latest"
	}
	return r.String(), nil
}

// tagOf is oam's GetTagFromNamedRef: the digest if any, else the tag or latest.
func tagOf(r ref) string {
	if r.digest != "" {
		return r.digest
	}
	if r.tag != "" {
		return r.tag
	}
	return "latest"
}

// onlyName is the path without its first component when it has several.
func onlyName(r ref) string {
	p := r.path
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}

// parseAnyNamed is ParseAnyReference followed by ParseNamed, as
// NewImageName and GetOldSaveImageName do.
func parseAnyNamed(s string) (ref, error) {
	if identifierRe.MatchString(s) {
		return ref{}, errors.New("repository name must be canonical")
	}
	return parseNormalizedNamed(s)
}

// newImageName is oam's docker.NewImageName with hub `hub` and no namespace.
func newImageName(source, hub string) (string, error) {
	r, err := parseAnyNamed(source)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s:%s", hub, onlyName(r), tagOf(r)), nil
}

// oldSaveImageName is oam's docker.GetOldSaveImageName(source, false).
func oldSaveImageName(source string) (string, error) {
	r, err := parseAnyNamed(source)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s:%s", onlyName(r), tagOf(r)), nil
}
