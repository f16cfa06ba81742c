# Extra link deps of bastion_ui: utf8proc for display widths and pthreads for
# the agent worker thread.
find_package(Threads REQUIRED)
list(APPEND BASTION_UI_EXTRA PkgConfig::UTF8PROC Threads::Threads)
