{{/*
Expand the name of the chart.
*/}}
{{- define "switchyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "switchyard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of the router Deployment and Service: "<fullname>-router", within 63 chars.
*/}}
{{- define "switchyard.routerFullname" -}}
{{- printf "%s-router" (include "switchyard.fullname" . | trunc 56 | trimSuffix "-") }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "switchyard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "switchyard.labels" -}}
helm.sh/chart: {{ include "switchyard.chart" . }}
{{ include "switchyard.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: switchyard
{{- end }}

{{/*
Selector labels
*/}}
{{- define "switchyard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Gateway labels and selector labels. The component label keeps the gateway's selectors from
matching router pods.
*/}}
{{- define "switchyard.gatewayLabels" -}}
{{ include "switchyard.labels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "switchyard.gatewaySelectorLabels" -}}
{{ include "switchyard.selectorLabels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{/*
Router labels and selector labels.
*/}}
{{- define "switchyard.routerLabels" -}}
{{ include "switchyard.labels" . }}
app.kubernetes.io/component: router
{{- end }}

{{- define "switchyard.routerSelectorLabels" -}}
{{ include "switchyard.selectorLabels" . }}
app.kubernetes.io/component: router
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "switchyard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "switchyard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The container image: repository:tag (tag defaults to the chart's appVersion) or repository@digest.
*/}}
{{- define "switchyard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret whose keys are exposed to the containers with envFrom.
*/}}
{{- define "switchyard.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else }}
{{- include "switchyard.fullname" . }}
{{- end }}
{{- end }}

{{/*
Name of the Secret holding DATABASE_URL / REDIS_URL given as plain values.
*/}}
{{- define "switchyard.externalSecretName" -}}
{{- printf "%s-external" (include "switchyard.fullname" . | trunc 54 | trimSuffix "-") }}
{{- end }}

{{/*
Whether the "<fullname>-external" Secret is needed: "true" or "".
*/}}
{{- define "switchyard.externalSecretNeeded" -}}
{{- if or (and .Values.externalDatabase.url (not .Values.externalDatabase.existingSecret)) (and .Values.externalRedis.url (not .Values.externalRedis.existingSecret)) }}
{{- "true" }}
{{- end }}
{{- end }}

{{/*
Bundled PostgreSQL / Redis: rendered with bundled.enabled unless an external one is set ("true" or "").
*/}}
{{- define "switchyard.bundledPostgresql" -}}
{{- if and .Values.bundled.enabled (not (or .Values.externalDatabase.url .Values.externalDatabase.existingSecret)) }}
{{- "true" }}
{{- end }}
{{- end }}

{{- define "switchyard.bundledRedis" -}}
{{- if and .Values.bundled.enabled (not (or .Values.externalRedis.url .Values.externalRedis.existingSecret)) }}
{{- "true" }}
{{- end }}
{{- end }}

{{- define "switchyard.postgresqlFullname" -}}
{{- printf "%s-postgresql" (include "switchyard.fullname" . | trunc 52 | trimSuffix "-") }}
{{- end }}

{{- define "switchyard.redisFullname" -}}
{{- printf "%s-redis" (include "switchyard.fullname" . | trunc 57 | trimSuffix "-") }}
{{- end }}

{{/*
The Secret with the bundled services' passwords and the URLs built from them.
*/}}
{{- define "switchyard.bundledSecretName" -}}
{{- printf "%s-bundled" (include "switchyard.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{/*
Whether a database / Redis is configured in any way ("true" or "").
*/}}
{{- define "switchyard.hasDatabase" -}}
{{- if or .Values.externalDatabase.url .Values.externalDatabase.existingSecret (include "switchyard.bundledPostgresql" .) }}
{{- "true" }}
{{- end }}
{{- end }}

{{- define "switchyard.hasRedis" -}}
{{- if or .Values.externalRedis.url .Values.externalRedis.existingSecret (include "switchyard.bundledRedis" .) }}
{{- "true" }}
{{- end }}
{{- end }}

{{/*
DATABASE_URL env entry (a YAML list, possibly empty): an existing Secret wins over a plain URL, which
wins over the bundled PostgreSQL. Always read from a Secret, never inlined.
*/}}
{{- define "switchyard.databaseEnv" -}}
{{- if .Values.externalDatabase.existingSecret }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalDatabase.existingSecret | quote }}
      key: {{ .Values.externalDatabase.secretKey | quote }}
{{- else if .Values.externalDatabase.url }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchyard.externalSecretName" . | quote }}
      key: database-url
{{- else if include "switchyard.bundledPostgresql" . }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchyard.bundledSecretName" . | quote }}
      key: database-url
{{- end }}
{{- end }}

{{/*
REDIS_URL env entry (a YAML list, possibly empty), with the same precedence.
*/}}
{{- define "switchyard.redisEnv" -}}
{{- if .Values.externalRedis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalRedis.existingSecret | quote }}
      key: {{ .Values.externalRedis.secretKey | quote }}
{{- else if .Values.externalRedis.url }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchyard.externalSecretName" . | quote }}
      key: redis-url
{{- else if include "switchyard.bundledRedis" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchyard.bundledSecretName" . | quote }}
      key: redis-url
{{- end }}
{{- end }}

{{/*
Checksum of the values behind the chart's Secrets, so changing a secret value rolls the pods.
Generated keys, passwords and certificates are kept across upgrades and not part of it.
*/}}
{{- define "switchyard.secretChecksum" -}}
{{- list .Values.existingSecret .Values.secrets .Values.externalDatabase .Values.externalRedis .Values.bundled.enabled .Values.bundled.postgresql.password .Values.bundled.redis.password | toJson | sha256sum }}
{{- end }}

{{/*
Pod annotations that roll the pods when what they read at start changes: the config (unless
configReload is "hot"), the chart's secret values, the router TLS settings.
*/}}
{{- define "switchyard.checksumAnnotations" -}}
{{- if ne .Values.configReload "hot" }}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- end }}
checksum/secret: {{ include "switchyard.secretChecksum" . }}
{{- if .Values.router.tls.enabled }}
checksum/router-tls: {{ .Values.router.tls | toJson | sha256sum }}
{{- end }}
{{- end }}

{{/*
Router TLS: the server certificate Secret (tls.crt, tls.key, ca.crt) and the gateways' client
certificate Secret (tls.crt, tls.key, ca.crt); generated by the chart unless given.
*/}}
{{- define "switchyard.routerTlsSecretName" -}}
{{- if .Values.router.tls.existingSecret }}
{{- .Values.router.tls.existingSecret }}
{{- else }}
{{- printf "%s-tls" (include "switchyard.routerFullname" . | trunc 59 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{- define "switchyard.routerClientTlsSecretName" -}}
{{- if .Values.router.tls.client.existingSecret }}
{{- .Values.router.tls.client.existingSecret }}
{{- else }}
{{- printf "%s-client-tls" (include "switchyard.routerFullname" . | trunc 52 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{/*
Whether the router asks gateways for client certificates ("true" or "").
*/}}
{{- define "switchyard.routerMtls" -}}
{{- if and .Values.router.enabled .Values.router.tls.enabled (ne .Values.router.tls.clientAuth "none") }}
{{- "true" }}
{{- end }}
{{- end }}

{{/*
A router probe with its gRPC port filled in: the gRPC port, or the plaintext health port with TLS.
Usage: include "switchyard.routerProbe" (dict "probe" <probe> "root" $)
*/}}
{{- define "switchyard.routerProbe" -}}
{{- $root := .root }}
{{- $probe := deepCopy .probe }}
{{- if hasKey $probe "grpc" }}
{{- $port := ternary $root.Values.router.healthPort $root.Values.router.port $root.Values.router.tls.enabled }}
{{- $_ := set $probe "grpc" (merge (dict "port" (int $port)) ($probe.grpc | default dict)) }}
{{- end }}
{{- toYaml $probe }}
{{- end }}

{{/*
The preStop hook of gateway and router (empty when preStopSleepSeconds is 0).
*/}}
{{- define "switchyard.preStop" -}}
{{- if gt (int .Values.preStopSleepSeconds) 0 }}
lifecycle:
  preStop:
    # Keep serving while endpoints and load balancers drop this pod; SIGTERM comes after.
    exec:
      command: ["sleep", {{ .Values.preStopSleepSeconds | toString | quote }}]
{{- end }}
{{- end }}

{{/*
topologySpreadConstraints items; a constraint without labelSelector gets the given selector labels.
Usage: include "switchyard.topologySpread" (dict "constraints" <list> "selectorLabels" <labels string>)
*/}}
{{- define "switchyard.topologySpread" -}}
{{- $out := list }}
{{- range .constraints }}
{{- $c := deepCopy . }}
{{- if not $c.labelSelector }}
{{- $_ := set $c "labelSelector" (dict "matchLabels" ($.selectorLabels | fromYaml)) }}
{{- end }}
{{- $out = append $out $c }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/*
Labels of the bundled services and the test pod (component: postgresql, redis, test).
Usage: include "switchyard.componentLabels" (dict "root" $ "component" "redis")
*/}}
{{- define "switchyard.componentLabels" -}}
{{ include "switchyard.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "switchyard.componentSelectorLabels" -}}
{{ include "switchyard.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
