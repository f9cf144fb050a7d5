{{/* Names and labels shared by every template. */}}

{{- define "chatops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's resource name: the release name when it already holds the chart's name. */}}
{{- define "chatops.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "chatops.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "chatops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chatops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "chatops.labels" -}}
{{ include "chatops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The bot's pods (component bot); the migration Job's are component migrate. */}}
{{- define "chatops.botSelector" -}}
{{ include "chatops.selectorLabels" . }}
app.kubernetes.io/component: bot
{{- end -}}

{{- define "chatops.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The security context of every container: no privilege of any kind, nothing written but /tmp. */}}
{{- define "chatops.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "chatops.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Everything the process may write goes to /tmp (the image sets HOME and TMPDIR there too). */}}
{{- define "chatops.tmpEnv" -}}
- name: HOME
  value: /tmp
- name: TMPDIR
  value: /tmp
- name: MPLCONFIGDIR
  value: /tmp/matplotlib
{{- end -}}

{{/* Settings the chart sets itself: refused in .Values.settings so no variable is given twice. */}}
{{- define "chatops.managedSettings" -}}
SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_APP_TOKEN DATABASE_URL REQUEST_CHANNELS APPROVER_USER_IDS APPROVER_USERGROUP AWS_REGION CLUSTER_NAME ROLE_ALLOW_PATTERNS CLUSTERS_FILE LAZY_WORKERS
{{- end -}}

{{/* One clear line for values that cannot work together. */}}
{{- define "chatops.validate" -}}
{{- if and (eq .Values.mode "socket") .Values.ingress.enabled -}}
{{- fail "ingress.enabled=true needs mode=http: Socket Mode has no inbound HTTP to route" -}}
{{- end -}}
{{- if and .Values.pdb.enabled (ge (int .Values.pdb.minAvailable) (int .Values.replicas)) -}}
{{- fail (printf "pdb.minAvailable (%d) must be below replicas (%d), or set pdb.enabled=false: otherwise no node drain can evict a pod" (int .Values.pdb.minAvailable) (int .Values.replicas)) -}}
{{- end -}}
{{- $managed := splitList " " (include "chatops.managedSettings" .) -}}
{{- range $name, $_ := .Values.settings -}}
{{- if has $name $managed -}}
{{- fail (printf "settings.%s: the chart sets %s itself (from its own value or a Secret); use that instead" $name $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
