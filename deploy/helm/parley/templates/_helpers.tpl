{{- define "parley.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "parley.labels" -}}
app.kubernetes.io/part-of: parley
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "parley.agentUrl" -}}
{{- if .Values.agentUrl -}}{{ .Values.agentUrl }}{{- else -}}http://{{ .Release.Name }}-agent:{{ .Values.agent.port }}/mcp{{- end -}}
{{- end -}}

{{/* A fixed replica count, unless an autoscaler owns it (then an upgrade must not reset it). */}}
{{- define "parley.replicas" -}}
{{- if not (or (dig "autoscaling" "enabled" false .) (dig "keda" "enabled" false .)) -}}
replicas: {{ .replicas }}
{{- end -}}
{{- end -}}

{{/* Secrets each service reads from existingSecret; only the edge's is required. */}}
{{- define "parley.secretVariables" -}}
edge: [TWILIO_AUTH_TOKEN]
dialogue: [PARLEY_AGENT_TOKEN, PARLEY_AGENT_API_KEY, DATABASE_URL, PARLEY_SESSIONS_ENCRYPTION_KEYS]
janitor: [DATABASE_URL, PARLEY_SESSIONS_ENCRYPTION_KEYS]
stt: [DATABASE_URL, PARLEY_SESSIONS_ENCRYPTION_KEYS]
agent: [PARLEY_AGENT_TOKEN, PARLEY_LLM_API_KEY]
{{- end -}}

{{/* How Kafka clients connect, as KAFKA_* settings: in the ConfigMap for the services, as
env for the topics job (a pre-install hook runs before the ConfigMap exists). */}}
{{- define "parley.kafkaSecurity" -}}
{{- $security := .Values.kafka.security }}
{{- $tls := "" }}{{- if $security.tlsSecret }}{{- $tls = "/etc/parley/kafka-tls" }}{{- end }}
{{- $client := and (ne $tls "") $security.clientCertificate }}
KAFKA_SECURITY_PROTOCOL: {{ $security.protocol | quote }}
KAFKA_SASL_MECHANISM: {{ $security.saslMechanism | quote }}
KAFKA_SASL_OAUTH_TOKEN_PROVIDER: {{ $security.oauthTokenProvider | default "" | quote }}
KAFKA_SSL_CHECK_HOSTNAME: {{ $security.checkHostname | quote }}
KAFKA_SSL_CA_FILE: {{ ternary (printf "%s/ca.crt" $tls) "" (ne $tls "") | quote }}
KAFKA_SSL_CERT_FILE: {{ ternary (printf "%s/tls.crt" $tls) "" $client | quote }}
KAFKA_SSL_KEY_FILE: {{ ternary (printf "%s/tls.key" $tls) "" $client | quote }}
{{- end -}}

{{/* A Kafka client's secrets, from its own Secret (kafka.security.serviceCredentials) or
else existingSecret; each optional, as PLAINTEXT and TLS-only clients need none. */}}
{{- define "parley.kafkaCredentials" -}}
{{- $secret := get .root.Values.kafka.security.serviceCredentials .name | default .root.Values.existingSecret }}
{{- range $variable := list "KAFKA_SASL_USERNAME" "KAFKA_SASL_PASSWORD" "KAFKA_SSL_KEY_PASSWORD" }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ $variable }}, optional: true}
{{- end }}
{{- end -}}

{{/* The CA bundle (and client certificate) of kafka.security.tlsSecret, where the
KAFKA_SSL_*_FILE settings point. */}}
{{- define "parley.kafkaTlsMount" -}}
{{- if .Values.kafka.security.tlsSecret }}
volumeMounts:
  - {name: kafka-tls, mountPath: /etc/parley/kafka-tls, readOnly: true}
{{- end }}
{{- end -}}

{{/* Pods restart when the ConfigMap changes, so a `helm upgrade` of a setting takes effect. */}}
{{- define "parley.podAnnotations" -}}
annotations:
  checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
  {{- with .Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* Pod settings shared by every workload: the image's unprivileged user, and where
and how pods are scheduled. */}}
{{- define "parley.podSettings" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  seccompProfile: {type: RuntimeDefault}
{{- with .Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.kafka.security.tlsSecret }}
volumes:
  - name: kafka-tls
    secret: {secretName: {{ . }}}
{{- end }}
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
  env:
    - {name: PARLEY_{{ .name | upper }}_PORT, value: {{ .svc.port | quote }}}
    - {name: PARLEY_{{ .name | upper }}_HOST, value: "0.0.0.0"}
    {{- $secret := .root.Values.existingSecret }}
    {{- range $variable := get (include "parley.secretVariables" . | fromYaml) .name | default (list) }}
    - name: {{ $variable }}
      valueFrom:
        secretKeyRef: {name: {{ $secret }}, key: {{ $variable }}, optional: {{ ne $variable "TWILIO_AUTH_TOKEN" }}}
    {{- end }}
    {{- range $variable, $key := .root.Values.secretEnv }}
    - name: {{ $variable }}
      valueFrom:
        secretKeyRef: {name: {{ $secret }}, key: {{ $key }}}
    {{- end }}
    {{- if ne .name "agent" }}
    {{- include "parley.kafkaCredentials" (dict "root" .root "name" .name) | nindent 4 }}
    {{- end }}
    {{- with .extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if ne .name "agent" }}
  {{- include "parley.kafkaTlsMount" .root | nindent 2 }}
  {{- end }}
  securityContext:
    allowPrivilegeEscalation: false
    capabilities: {drop: [ALL]}
  # Up to a minute to load the speech engines before liveness counts.
  startupProbe:
    httpGet: {path: /healthz, port: http}
    periodSeconds: 2
    failureThreshold: 30
  livenessProbe:
    httpGet: {path: /healthz, port: http}
    periodSeconds: 10
  readinessProbe:
    httpGet: {path: /readyz, port: http}
    periodSeconds: 5
  resources:
    {{- toYaml .svc.resources | nindent 4 }}
{{- end -}}
