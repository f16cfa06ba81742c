// The credential stores under $HOME (declared in sandbox.h). One list for
// both enforcement points: the sandbox hides them from commands and the
// permission engine refuses file tools on them, so the two cannot drift.
#include "policy/sandbox.h"

namespace bastion::policy {

const char* const kCredentialStores[kCredentialStoreCount] = {
    ".ssh", ".aws", ".config/gcloud", ".kube", ".docker/config.json", ".netrc", ".gnupg",
    ".git-credentials", ".config/gh", ".azure", ".cargo/credentials", ".cargo/credentials.toml",
    ".config/hub", ".pypirc"};

}  // namespace bastion::policy
