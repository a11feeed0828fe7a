{{- define "parley.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "parley.labels" -}}
app.kubernetes.io/part-of: parley
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "parley.agentUrl" -}}
{{- if .Values.agentUrl -}}{{ .Values.agentUrl }}{{- else -}}http://{{ .Release.Name }}-agent:{{ .Values.agent.port }}/mcp{{- end -}}
{{- end -}}

{{/* Container spec shared by every service: name, port, probes, config. */}}
{{- define "parley.container" -}}
- name: {{ .name }}
  image: {{ include "parley.image" .root }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  command: ["parley-{{ .name }}"]
  ports:
    - {name: http, containerPort: {{ .svc.port }}}
  envFrom:
    - configMapRef: {name: {{ .root.Release.Name }}-config}
    - secretRef: {name: {{ .root.Values.existingSecret }}, optional: true}
  env:
    - {name: PARLEY_{{ .name | upper }}_PORT, value: {{ .svc.port | quote }}}
    - {name: PARLEY_{{ .name | upper }}_HOST, value: "0.0.0.0"}
    {{- with .extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  livenessProbe:
    httpGet: {path: /healthz, port: http}
    periodSeconds: 10
  readinessProbe:
    httpGet: {path: {{ if eq .name "agent" }}/healthz{{ else }}/readyz{{ end }}, port: http}
    periodSeconds: 5
  resources:
    {{- toYaml .svc.resources | nindent 4 }}
{{- end -}}
