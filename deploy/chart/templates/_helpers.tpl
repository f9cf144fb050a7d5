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

{{/* The serving pods (component bot), the job worker pods (component worker); the migration Job's
are component migrate. */}}
{{- define "chatops.botSelector" -}}
{{ include "chatops.selectorLabels" . }}
app.kubernetes.io/component: bot
{{- end -}}

{{- define "chatops.workerSelector" -}}
{{ include "chatops.selectorLabels" . }}
app.kubernetes.io/component: worker
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

{{/* Seconds a pod needs on SIGTERM beyond shutdownGraceSeconds: the in-flight acks before the workers
stop, releasing the unfinished jobs and removing the pool's job_workers row, and the scheduler handing
leadership over. */}}
{{- define "chatops.shutdownMargin" -}}
10
{{- end -}}

{{/* Settings the chart sets itself: refused in .Values.settings so no variable is given twice. */}}
{{- define "chatops.managedSettings" -}}
SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_APP_TOKEN DATABASE_URL REQUEST_CHANNELS APPROVER_USER_IDS APPROVER_USERGROUP AWS_REGION CLUSTER_NAME ROLE_ALLOW_PATTERNS CLUSTERS_FILE WORKER_THREADS SHUTDOWN_GRACE_SECONDS
{{- end -}}

{{/* One clear line for values that cannot work together. */}}
{{- define "chatops.validate" -}}
{{- if and (eq .Values.mode "socket") .Values.ingress.enabled -}}
{{- fail "ingress.enabled=true needs mode=http: Socket Mode has no inbound HTTP to route" -}}
{{- end -}}
{{- if and .Values.pdb.enabled (ge (int .Values.pdb.minAvailable) (int .Values.replicas)) -}}
{{- fail (printf "pdb.minAvailable (%d) must be below replicas (%d), or set pdb.enabled=false: otherwise no node drain can evict a pod" (int .Values.pdb.minAvailable) (int .Values.replicas)) -}}
{{- end -}}
{{- if and .Values.worker.enabled .Values.pdb.enabled (ge (int .Values.pdb.minAvailable) (int .Values.worker.replicas)) -}}
{{- fail (printf "pdb.minAvailable (%d) must be below worker.replicas (%d), or set pdb.enabled=false: otherwise no node drain can evict a worker pod" (int .Values.pdb.minAvailable) (int .Values.worker.replicas)) -}}
{{- end -}}
{{- if and (eq (int .Values.workerThreads) 0) (not .Values.worker.enabled) -}}
{{- fail "workerThreads=0 needs worker.enabled=true: otherwise no process runs the jobs, every request is acked and never answered, and /readyz never passes" -}}
{{- end -}}
{{- $margin := include "chatops.shutdownMargin" . | int -}}
{{- if lt (int .Values.terminationGracePeriodSeconds) (add (int .Values.shutdownGraceSeconds) $margin) -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be at least shutdownGraceSeconds (%d) + %d: the pod is killed before its running jobs finish or are released" (int .Values.terminationGracePeriodSeconds) (int .Values.shutdownGraceSeconds) $margin) -}}
{{- end -}}
{{- $managed := splitList " " (include "chatops.managedSettings" .) -}}
{{- range $name, $_ := .Values.settings -}}
{{- if has $name $managed -}}
{{- fail (printf "settings.%s: the chart sets %s itself (from its own value or a Secret); use that instead" $name $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The environment the serving and the worker pods share: everything but the Slack secrets that only
verify Slack's requests (SLACK_SIGNING_SECRET, SLACK_APP_TOKEN) and WORKER_THREADS. */}}
{{- define "chatops.sharedEnv" -}}
- name: SLACK_BOT_TOKEN
  valueFrom:
    secretKeyRef: {name: {{ .Values.secrets.slack }}, key: SLACK_BOT_TOKEN}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ .Values.secrets.database }}, key: DATABASE_URL}
- name: AWS_REGION
  value: {{ .Values.aws.region | quote }}
{{- with .Values.aws.clusterName }}
- name: CLUSTER_NAME
  value: {{ . | quote }}
{{- end }}
- name: REQUEST_CHANNELS
  value: {{ join "," .Values.requestChannels | quote }}
- name: APPROVER_USER_IDS
  value: {{ join "," .Values.approvers.userIds | quote }}
- name: APPROVER_USERGROUP
  value: {{ .Values.approvers.usergroup | quote }}
- name: ROLE_ALLOW_PATTERNS
  value: {{ join "," .Values.roleAllowPatterns | quote }}
# Running jobs get this long after SIGTERM; terminationGracePeriodSeconds leaves room beyond it.
- name: SHUTDOWN_GRACE_SECONDS
  value: {{ .Values.shutdownGraceSeconds | quote }}
{{- if .Values.clusters }}
- name: CLUSTERS_FILE
  value: /etc/chatops/clusters.yaml
{{- end }}
{{- range $name, $value := .Values.settings }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{ include "chatops.tmpEnv" . }}
{{- end -}}

{{/* The pod template's annotations: a changed clusters file rolls the pods, which read it once at start-up. */}}
{{- define "chatops.podAnnotations" -}}
{{- if .Values.clusters }}
checksum/clusters: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The container's writable /tmp and, with a clusters file, its ConfigMap. */}}
{{- define "chatops.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.clusters }}
- name: clusters
  mountPath: /etc/chatops
  readOnly: true
{{- end }}
{{- end -}}

{{- define "chatops.volumes" -}}
- name: tmp
  emptyDir: {sizeLimit: 64Mi}
{{- if .Values.clusters }}
- name: clusters
  configMap:
    name: {{ include "chatops.fullname" . }}-clusters
    items:
      - {key: clusters.yaml, path: clusters.yaml}
{{- end }}
{{- end -}}

{{/* nodeSelector, tolerations and affinity, shared by both Deployments. */}}
{{- define "chatops.placement" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
