{{- define "goblin-stack.fullname" -}}
{{- printf "%s" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "goblin-stack.labels" -}}
app.kubernetes.io/name: goblin-stack
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
goblin.dev/stage: {{ .Values.stage | quote }}
{{- end -}}

{{- define "goblin-stack.selector" -}}
app.kubernetes.io/name: goblin-stack
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "goblin-stack.mtlsSecret" -}}
{{- default (printf "%s-mtls" (include "goblin-stack.fullname" .)) .Values.mtls.existingSecret -}}
{{- end -}}

{{- define "goblin-stack.gatewayHost" -}}
{{- printf "%s-gateway.%s.svc" (include "goblin-stack.fullname" .) .Release.Namespace -}}
{{- end -}}
