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
DATABASE_URL and REDIS_URL env entries (a YAML list, possibly empty). Existing Secrets win over
plain URLs; plain URLs are read from the "<fullname>-external" Secret, never inlined.
*/}}
{{- define "switchyard.externalEnv" -}}
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
{{- end }}
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
{{- end }}
{{- end }}

{{/*
Checksum of everything that ends up in the chart's Secrets, so changing a secret value rolls
the pods. (A generated admin key is stable across upgrades and not included.)
*/}}
{{- define "switchyard.secretChecksum" -}}
{{- list .Values.existingSecret .Values.secrets .Values.externalDatabase .Values.externalRedis | toJson | sha256sum }}
{{- end }}

{{/*
topologySpreadConstraints items; a constraint without labelSelector gets the given selector labels.
Usage: include "switchyard.topologySpread" (dict "constraints" <list> "selectorLabels" <labels string>)
*/}}
{{- define "switchyard.topologySpread" -}}
{{- range .constraints }}
- {{- if not .labelSelector }}
  labelSelector:
    matchLabels:
      {{- $.selectorLabels | nindent 6 }}
  {{- end }}
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
