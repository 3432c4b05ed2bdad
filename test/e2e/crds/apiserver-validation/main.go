// apiserver-validation: validates objects (a JSON list on stdin) against CRD files with
// apiextensions-apiserver's own code, as the apiserver does on a create: strict unknown
// fields (pruning), defaulting, then the custom-resource strategy's Validate (ObjectMeta,
// OpenAPI schema, list sets and maps, CEL rules). Prints one JSON list of error lines per
// object. compare.mjs runs it beside the embedded store's validation (src/api/validate.ts)
// on generated objects; see there for how to build and run both.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)


func main() {
	scheme := runtime.NewScheme()
	_ = apiextensions.AddToScheme(scheme)
	_ = apiextv1.AddToScheme(scheme)
	type entry struct {
		validate   func(context.Context, runtime.Object) []string
		structural *structuralschema.Structural
	}
	kinds := map[string]entry{}
	for _, f := range os.Args[1:] {
		data, _ := os.ReadFile(f)
		var v1 apiextv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &v1); err != nil { panic(err) }
		apiextv1.SetObjectDefaults_CustomResourceDefinition(&v1)
		var crd apiextensions.CustomResourceDefinition
		if err := scheme.Convert(&v1, &crd, nil); err != nil { panic(err) }
		ver := crd.Spec.Versions[0]
		var props *apiextensions.JSONSchemaProps
		if ver.Schema != nil { props = ver.Schema.OpenAPIV3Schema } else { props = crd.Spec.Validation.OpenAPIV3Schema }
		status := crd.Spec.Subresources
		if ver.Subresources != nil { status = ver.Subresources }
		ss, err := structuralschema.NewStructural(props)
		if err != nil { panic(err) }
		sv, _, err := validation.NewSchemaValidator(props)
		if err != nil { panic(err) }
		gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
		st := customresource.NewStrategy(scheme, crd.Spec.Scope == apiextensions.NamespaceScoped, gvk, sv, nil, ss, status.Status, nil, nil)
		kinds[crd.Spec.Names.Kind] = entry{structural: ss, validate: func(ctx context.Context, o runtime.Object) []string {
			var out []string
			for _, e := range st.Validate(ctx, o) { out = append(out, e.Error()) }
			return out
		}}
	}
	in, _ := io.ReadAll(os.Stdin)
	var objs []map[string]interface{}
	dec := json.NewDecoder(strings.NewReader(string(in)))
	dec.UseNumber()
	if err := dec.Decode(&objs); err != nil { panic(err) }
	results := [][]string{}
	for _, raw := range objs {
		obj := convertNumbers(raw).(map[string]interface{})
		kind, _ := obj["kind"].(string)
		k, ok := kinds[kind]
		if !ok { results = append(results, []string{"unknown kind"}); continue }
		unknown := pruning.PruneWithOptions(obj, k.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
		if len(unknown) > 0 {
			var out []string
			for _, u := range unknown { out = append(out, fmt.Sprintf("unknown field %q", u)) }
			results = append(results, out); continue
		}
		delete(obj, "status")
		structuraldefaulting.Default(obj, k.structural)
		u := &unstructured.Unstructured{Object: obj}
		errs := k.validate(context.TODO(), u)
		if errs == nil { errs = []string{} }
		results = append(results, errs)
	}
	out, _ := json.Marshal(results)
	fmt.Println(string(out))
}

// convertNumbers turns json.Number into int64 or float64 as the apiserver's decoder does.
func convertNumbers(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t { t[k] = convertNumbers(x) }
		return t
	case []interface{}:
		for i, x := range t { t[i] = convertNumbers(x) }
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil { return i }
		f, _ := t.Float64()
		return f
	}
	return v
}
