-- Where the other processes reach a room's owner's Kubernetes API (KUBEDRILL_KUBE_API_PORT):
-- a kube API request landing on another process is forwarded there. Empty: not served.
ALTER TABLE "RoomLease" ADD COLUMN "kubeApiUrl" TEXT NOT NULL DEFAULT '';
