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

{{/* The credentials each service reads, each by its own variable name: from existingSecret
(all optional but the edge's Twilio token), or from the chart's `<release>-values` Secret
when the values carry one (see parley.valuesSecrets). Never from the ConfigMap. */}}
{{- define "parley.secretVariables" -}}
{{- $sessions := list "DATABASE_URL" "PARLEY_SESSION_STORE_URL" "PARLEY_JANITOR_STORAGE_URL" "PARLEY_SESSIONS_ENCRYPTION_KEYS" "REDIS_URL" }}
edge: [TWILIO_AUTH_TOKEN, PARLEY_EDGE_STREAM_TOKEN_SECRET, REDIS_URL, PARLEY_SESSIONS_ENCRYPTION_KEYS]
stt: {{ concat $sessions (list "DEEPGRAM_API_KEY" "AWS_ACCESS_KEY_ID" "AWS_SECRET_ACCESS_KEY" "AWS_SESSION_TOKEN") | toJson }}
tts: [DEEPGRAM_API_KEY, PARLEY_SESSIONS_ENCRYPTION_KEYS]
dialogue: {{ concat (list "PARLEY_AGENT_TOKEN" "PARLEY_AGENT_API_KEY") $sessions | toJson }}
janitor: {{ concat $sessions (list "PARLEY_JANITOR_API_KEYS") | toJson }}
agent: [PARLEY_AGENT_TOKEN, PARLEY_LLM_API_KEY, OPENAI_API_KEY]
{{- end -}}

{{/* Credentials the values carry (`env` entries named like a credential, a redis.url with a
password), as VARIABLE: value. The chart puts them in its `<release>-values` Secret rather
than the ConfigMap; existingSecret is the better place for them. */}}
{{- define "parley.valuesSecrets" -}}
{{- $names := list }}
{{- range $service, $variables := include "parley.secretVariables" . | fromYaml }}
{{- $names = concat $names $variables }}
{{- end }}
{{- $found := dict }}
{{- range $name, $value := .Values.env }}
{{- if has $name (list "KAFKA_SASL_USERNAME" "KAFKA_SASL_PASSWORD" "KAFKA_SSL_KEY_PASSWORD") }}
{{- fail (printf "env.%s: Kafka credentials come from a Secret: put %s in kafka.security.serviceCredentials' Secrets or existingSecret" $name $name) }}
{{- end }}
{{- if has $name $names }}{{ $_ := set $found $name $value }}{{ end }}
{{- end }}
{{- if (urlParse .Values.redis.url).userinfo }}{{ $_ := set $found "REDIS_URL" .Values.redis.url }}{{ end }}
{{- toYaml $found }}
{{- end -}}

{{/* One service's credential variables as env entries, each a secretKeyRef. A variable
secretEnv names is left to secretEnv. */}}
{{- define "parley.secretEnv" -}}
{{- $fromValues := include "parley.valuesSecrets" .root | fromYaml }}
{{- range $variable := get (include "parley.secretVariables" .root | fromYaml) .name | default (list) }}
{{- if not (hasKey $.root.Values.secretEnv $variable) }}
- name: {{ $variable }}
  valueFrom:
  {{- if hasKey $fromValues $variable }}
    secretKeyRef: {name: {{ $.root.Release.Name }}-values, key: {{ $variable }}}
  {{- else }}
    secretKeyRef: {name: {{ $.root.Values.existingSecret }}, key: {{ $variable }}, optional: {{ ne $variable "TWILIO_AUTH_TOKEN" }}}
  {{- end }}
{{- end }}
{{- end }}
{{- range $variable, $key := .root.Values.secretEnv }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef: {name: {{ $.root.Values.existingSecret }}, key: {{ $key }}}
{{- end }}
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

{{/* How Redis clients connect besides REDIS_URL, as REDIS_SSL_* settings in the ConfigMap:
the files are redis.tlsSecret's, mounted at /etc/parley/redis-tls (parley.secretMounts). */}}
{{- define "parley.redisTls" -}}
{{- $redis := .Values.redis }}
{{- $tls := "" }}{{- if $redis.tlsSecret }}{{- $tls = "/etc/parley/redis-tls" }}{{- end }}
{{- $client := and (ne $tls "") $redis.clientCertificate }}
REDIS_SSL_CHECK_HOSTNAME: {{ $redis.checkHostname | quote }}
REDIS_SSL_CA_FILE: {{ ternary (printf "%s/ca.crt" $tls) "" (ne $tls "") | quote }}
REDIS_SSL_CERT_FILE: {{ ternary (printf "%s/tls.crt" $tls) "" $client | quote }}
REDIS_SSL_KEY_FILE: {{ ternary (printf "%s/tls.key" $tls) "" $client | quote }}
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

{{/* The Secrets a workload mounts, as volume name: [Secret, mount path]: for a Kafka
client (every workload but the agent), kafka.security.tlsSecret's CA bundle and client
certificate, where the KAFKA_SSL_*_FILE settings point; for a Redis client (edge, stt,
dialogue, janitor), redis.tlsSecret's, where the REDIS_SSL_*_FILE settings point; for stt
and tts, googleCredentialsSecret's service account key. */}}
{{- define "parley.secretMounts" -}}
{{- $security := .root.Values.kafka.security }}
{{- if and $security.tlsSecret (ne .name "agent") }}
kafka-tls: [{{ $security.tlsSecret }}, /etc/parley/kafka-tls]
{{- end }}
{{- if and .root.Values.redis.tlsSecret (has .name (list "edge" "stt" "dialogue" "janitor")) }}
redis-tls: [{{ .root.Values.redis.tlsSecret }}, /etc/parley/redis-tls]
{{- end }}
{{- if and .root.Values.googleCredentialsSecret (has .name (list "stt" "tts")) }}
google-credentials: [{{ .root.Values.googleCredentialsSecret }}, /etc/parley/google]
{{- end }}
{{- end -}}

{{/* A workload's volumes: a writable /tmp (the root filesystem is read-only), and its
Secret mounts. */}}
{{- define "parley.volumes" -}}
volumes:
  - name: tmp
    emptyDir: {sizeLimit: {{ .root.Values.podSecurity.tmpSizeLimit }}}
{{- range $volume, $mount := include "parley.secretMounts" . | fromYaml }}
  - name: {{ $volume }}
    secret: {secretName: {{ index $mount 0 }}}
{{- end }}
{{- end -}}

{{- define "parley.volumeMounts" -}}
volumeMounts:
  - {name: tmp, mountPath: /tmp}
{{- range $volume, $mount := include "parley.secretMounts" . | fromYaml }}
  - {name: {{ $volume }}, mountPath: {{ index $mount 1 }}, readOnly: true}
{{- end }}
{{- end -}}

{{/* Pods restart when the ConfigMap (or the chart's own Secret) changes, so a `helm
upgrade` of a setting takes effect. */}}
{{- define "parley.podAnnotations" -}}
annotations:
  checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
  checksum/values-secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
  {{- with .Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* Pod settings shared by every workload: the image's unprivileged user (podSecurity),
no API token (nothing in Parley calls the Kubernetes API), the volumes, and where and how
pods are scheduled. */}}
{{- define "parley.podSettings" -}}
{{- $values := .root.Values }}
securityContext:
  runAsNonRoot: true
  {{- range $field := list "runAsUser" "runAsGroup" "fsGroup" }}
  {{- with index $values.podSecurity $field }}
  {{ $field }}: {{ . }}
  {{- end }}
  {{- end }}
  seccompProfile: {type: RuntimeDefault}
automountServiceAccountToken: false
{{- with $values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
{{- include "parley.volumes" . | nindent 0 }}
{{- end -}}

{{/* A container's security context: no privileges, no capabilities, nothing written
outside its emptyDir volumes (Pod Security Standards, restricted profile). */}}
{{- define "parley.containerSecurity" -}}
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
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
    {{- include "parley.secretEnv" . | nindent 4 }}
    {{- if hasKey (include "parley.secretMounts" . | fromYaml) "google-credentials" }}
    - {name: GOOGLE_APPLICATION_CREDENTIALS, value: /etc/parley/google/credentials.json}
    {{- end }}
    {{- if ne .name "agent" }}
    {{- include "parley.kafkaCredentials" (dict "root" .root "name" .name) | nindent 4 }}
    {{- end }}
    {{- with .extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- include "parley.volumeMounts" . | nindent 2 }}
  {{- include "parley.containerSecurity" . | nindent 2 }}
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
