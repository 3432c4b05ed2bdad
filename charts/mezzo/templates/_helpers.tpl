{{/* Chart name, truncated to the 63 characters DNS labels allow. */}}
{{- define "mezzo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name prefix: <release>-mezzo, or the release name if it already says mezzo. */}}
{{- define "mezzo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels on every resource. */}}
{{- define "mezzo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "mezzo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mezzo
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component (controller or agent). */}}
{{- define "mezzo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mezzo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image reference: digest wins over tag; tag defaults to appVersion. */}}
{{- define "mezzo.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "mezzo.controller.serviceAccountName" -}}
{{- if .Values.controller.serviceAccount.create -}}
{{- default (printf "%s-controller" (include "mezzo.fullname" .)) .Values.controller.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.controller.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mezzo.agent.serviceAccountName" -}}
{{- if .Values.agent.serviceAccount.create -}}
{{- default (printf "%s-agent" (include "mezzo.fullname" .)) .Values.agent.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.agent.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The controller Service's in-cluster DNS name (what agents and frameworks dial). */}}
{{- define "mezzo.controllerHost" -}}
{{- printf "%s-controller.%s.svc" (include "mezzo.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/* The names the controller's certificate is valid for, as a YAML list. */}}
{{- define "mezzo.tlsDnsNames" -}}
{{- $svc := printf "%s-controller" (include "mezzo.fullname" .) -}}
- {{ $svc }}
- {{ printf "%s.%s" $svc .Release.Namespace }}
- {{ printf "%s.%s.svc" $svc .Release.Namespace }}
- {{ printf "%s.%s.svc.%s" $svc .Release.Namespace .Values.tls.clusterDomain }}
{{- range .Values.tls.extraDnsNames }}
- {{ . }}
{{- end }}
{{- end -}}

{{/* The Secret holding tls.crt, tls.key and ca.crt. */}}
{{- define "mezzo.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "mezzo.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{/* User names allowed to register agents: the chart's agent ServiceAccount and any extra. */}}
{{- define "mezzo.agentIdentities" -}}
{{- $ids := list (printf "system:serviceaccount:%s:%s" .Release.Namespace (include "mezzo.agent.serviceAccountName" .)) -}}
{{- range .Values.auth.extraAgentIdentities }}{{ $ids = append $ids . }}{{ end -}}
{{- join "," $ids -}}
{{- end -}}

{{/*
The Secret holding the agent's serving certificate for its HTTP port, and the keys in it:
the default mode adds agent.crt/agent.key to the chart's TLS Secret; cert-manager issues a
second Certificate; with an existing Secret, tls.agentExistingSecret (empty: the agent's
port stays plain HTTP). Prints nothing when the agent serves no TLS.
*/}}
{{- define "mezzo.agentTlsSecret" -}}
{{- if .Values.tls.enabled -}}
{{- if .Values.tls.certManager.enabled -}}
{{ printf "%s-agent-tls" (include "mezzo.fullname" .) }} tls.crt tls.key
{{- else if .Values.tls.existingSecret -}}
{{- with .Values.tls.agentExistingSecret }}{{ . }} tls.crt tls.key{{ end -}}
{{- else -}}
{{ include "mezzo.tlsSecretName" . }} agent.crt agent.key
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The names the agents' certificate is valid for (clients verify with a server name). */}}
{{- define "mezzo.agentTlsDnsNames" -}}
{{- $svc := printf "%s-agent" (include "mezzo.fullname" .) -}}
- {{ $svc }}
- {{ printf "%s.%s.svc" $svc .Release.Namespace }}
{{- end -}}
