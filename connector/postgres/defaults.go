package postgres

import (
	"regexp"
	"strings"

	"github.com/wharf-project/wharf/connector/data"
)

// Column defaults become schema defaults as Debezium's
// PostgresDefaultValueConverter computes them: a mapper per type name
// (domains, enums, arrays, money, bytea, timetz, network and range types
// have none and get no default); a function call (nextval(...), now())
// gives the type's placeholder; otherwise the first quoted literal, or the
// raw text, is parsed like a value. What cannot be parsed gives no default.

var (
	defaultLiteralRe  = regexp.MustCompile(`'(.*?)'`)
	defaultFunctionRe = regexp.MustCompile(`^[(]?[A-Za-z0-9_]+\((?:.+(?:, ?.+)*)?\)`)
)

// extractDefault is Debezium's extractDefault(value, placeholder). ok is
// false where Debezium's matcher throws (a quote without a closing one).
func extractDefault(expr, placeholder string) (string, bool) {
	if defaultFunctionRe.MatchString(expr) {
		return placeholder, true
	}
	if !strings.Contains(expr, "'") {
		return expr, true
	}
	m := defaultLiteralRe.FindStringSubmatch(expr)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// defaultPlaceholders are Debezium's generated-value placeholders, in the
// text form the decoders read; a type missing here has no default mapper.
var defaultPlaceholders = map[string]string{
	"bit": "00", "varbit": "0", "bool": "false",
	"bpchar": "", "varchar": "", "text": "", "json": "{}", "jsonb": "{}", "xml": "",
	"numeric": "0.0", "float4": "0.0", "float8": "0.0", "int2": "0", "int4": "0", "int8": "0",
	"uuid": "00000000-0000-0000-0000-000000000000",
	"date": "1970-01-01", "time": "00:00:00", "timestamp": "1970-01-01 00:00:00",
	"timestamptz": "1970-01-01 00:00:00+00", "interval": "epoch",
}

// nullableDefaults are the mappers Debezium wraps in parseNullDefault.
var nullableDefaults = map[string]bool{"bool": true, "numeric": true, "float4": true, "float8": true,
	"int2": true, "int4": true, "int8": true}

// parseDefault returns the schema default of a column of PostgreSQL type
// typName (pg_type.typname) with default expression expr, or nil.
func parseDefault(expr, typName string, ct *colType) any {
	placeholder, ok := defaultPlaceholders[typName]
	if !ok {
		return nil
	}
	if nullableDefaults[typName] && strings.HasPrefix(expr, "NULL::") {
		return nil
	}
	v, ok := extractDefault(expr, placeholder)
	if !ok {
		return nil
	}
	switch typName {
	case "bool":
		return strings.EqualFold(v, "true") // Boolean.parseBoolean
	case "bit", "varbit":
		if ct.schema.Type == data.TypeBoolean {
			return v != "" && strings.Trim(v, "0") != ""
		}
	case "interval":
		if v == "epoch" { // PGInterval cannot parse it
			return nil
		}
	case "numeric":
		if ct.schema.Name == data.DecimalName {
			if sc, err := data.DecimalScale(ct.schema); err == nil && fractionDigits(v) > int(sc) {
				return nil // Decimal.fromLogical rejects a larger scale
			}
		}
	}
	val, err := ct.decode(v)
	if err != nil {
		return nil
	}
	if _, isStruct := val.(*data.Struct); isStruct {
		return nil // Debezium: a Struct cannot be a default (KAFKA-12694)
	}
	return val
}

func fractionDigits(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		n := 0
		for _, c := range s[i+1:] {
			if c < '0' || c > '9' {
				break
			}
			n++
		}
		return n
	}
	return 0
}
