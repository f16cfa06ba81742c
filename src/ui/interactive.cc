#include "ui/interactive.h"

#include "ui/app.h"

namespace bastion::ui {

int run_interactive(InteractiveSession& session) {
  App app(session);
  return app.run();
}

}  // namespace bastion::ui
