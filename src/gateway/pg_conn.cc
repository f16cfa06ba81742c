// SqlConn over libpq, for several gateway processes sharing one database.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <mutex>
#include <string>

#include "gateway/sql_conn.h"

namespace bastion::gateway {
namespace {

// libpq is loaded with dlopen when a gateway first connects to PostgreSQL:
// linking it would make every `bastion` start load Kerberos, LDAP and TLS
// libraries that only the PostgreSQL store needs.
struct LibPq {
  decltype(&::PQclear) PQclear = nullptr;
  decltype(&::PQconnectdb) PQconnectdb = nullptr;
  decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
  decltype(&::PQexec) PQexec = nullptr;
  decltype(&::PQexecParams) PQexecParams = nullptr;
  decltype(&::PQfinish) PQfinish = nullptr;
  decltype(&::PQgetisnull) PQgetisnull = nullptr;
  decltype(&::PQgetlength) PQgetlength = nullptr;
  decltype(&::PQgetvalue) PQgetvalue = nullptr;
  decltype(&::PQnfields) PQnfields = nullptr;
  decltype(&::PQntuples) PQntuples = nullptr;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
  decltype(&::PQresultStatus) PQresultStatus = nullptr;
  decltype(&::PQstatus) PQstatus = nullptr;
};

const LibPq* load_libpq(Error* err) {
  static LibPq lib;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      error = std::string("cannot load libpq (") + ::dlerror() + "); install it with: sudo apt-get install libpq5";
      return;
    }
    lib.PQclear = reinterpret_cast<decltype(lib.PQclear)>(::dlsym(h, "PQclear"));
    if (!lib.PQclear) error = "libpq.so.5 lacks PQclear";
    lib.PQconnectdb = reinterpret_cast<decltype(lib.PQconnectdb)>(::dlsym(h, "PQconnectdb"));
    if (!lib.PQconnectdb) error = "libpq.so.5 lacks PQconnectdb";
    lib.PQerrorMessage = reinterpret_cast<decltype(lib.PQerrorMessage)>(::dlsym(h, "PQerrorMessage"));
    if (!lib.PQerrorMessage) error = "libpq.so.5 lacks PQerrorMessage";
    lib.PQexec = reinterpret_cast<decltype(lib.PQexec)>(::dlsym(h, "PQexec"));
    if (!lib.PQexec) error = "libpq.so.5 lacks PQexec";
    lib.PQexecParams = reinterpret_cast<decltype(lib.PQexecParams)>(::dlsym(h, "PQexecParams"));
    if (!lib.PQexecParams) error = "libpq.so.5 lacks PQexecParams";
    lib.PQfinish = reinterpret_cast<decltype(lib.PQfinish)>(::dlsym(h, "PQfinish"));
    if (!lib.PQfinish) error = "libpq.so.5 lacks PQfinish";
    lib.PQgetisnull = reinterpret_cast<decltype(lib.PQgetisnull)>(::dlsym(h, "PQgetisnull"));
    if (!lib.PQgetisnull) error = "libpq.so.5 lacks PQgetisnull";
    lib.PQgetlength = reinterpret_cast<decltype(lib.PQgetlength)>(::dlsym(h, "PQgetlength"));
    if (!lib.PQgetlength) error = "libpq.so.5 lacks PQgetlength";
    lib.PQgetvalue = reinterpret_cast<decltype(lib.PQgetvalue)>(::dlsym(h, "PQgetvalue"));
    if (!lib.PQgetvalue) error = "libpq.so.5 lacks PQgetvalue";
    lib.PQnfields = reinterpret_cast<decltype(lib.PQnfields)>(::dlsym(h, "PQnfields"));
    if (!lib.PQnfields) error = "libpq.so.5 lacks PQnfields";
    lib.PQntuples = reinterpret_cast<decltype(lib.PQntuples)>(::dlsym(h, "PQntuples"));
    if (!lib.PQntuples) error = "libpq.so.5 lacks PQntuples";
    lib.PQresultErrorMessage = reinterpret_cast<decltype(lib.PQresultErrorMessage)>(::dlsym(h, "PQresultErrorMessage"));
    if (!lib.PQresultErrorMessage) error = "libpq.so.5 lacks PQresultErrorMessage";
    lib.PQresultStatus = reinterpret_cast<decltype(lib.PQresultStatus)>(::dlsym(h, "PQresultStatus"));
    if (!lib.PQresultStatus) error = "libpq.so.5 lacks PQresultStatus";
    lib.PQstatus = reinterpret_cast<decltype(lib.PQstatus)>(::dlsym(h, "PQstatus"));
    if (!lib.PQstatus) error = "libpq.so.5 lacks PQstatus";
  });
  if (!error.empty()) {
    *err = Error(ErrorKind::kConfig, error);
    return nullptr;
  }
  return &lib;
}

const LibPq& pq() {
  Error ignored;
  return *load_libpq(&ignored);  // only called after open_postgres loaded it
}


class PgConn : public SqlConn {
 public:
  explicit PgConn(PGconn* c) : c_(c) {}
  ~PgConn() override { pq().PQfinish(c_); }
  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<std::vector<SqlRow>> query(const std::string& sql,
                                    const std::vector<SqlParam>& params) override {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = pq().PQexecParams(c_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    ExecStatusType st = pq().PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string m = pq().PQresultErrorMessage(r);
      pq().PQclear(r);
      return Error(ErrorKind::kIo, "gateway postgresql: " + m);
    }
    std::vector<SqlRow> rows;
    int n = pq().PQntuples(r), f = pq().PQnfields(r);
    rows.reserve(n);
    for (int i = 0; i < n; ++i) {
      SqlRow row(f);
      for (int c = 0; c < f; ++c)
        if (!pq().PQgetisnull(r, i, c)) row[c] = std::string(pq().PQgetvalue(r, i, c), pq().PQgetlength(r, i, c));
      rows.push_back(std::move(row));
    }
    pq().PQclear(r);
    return rows;
  }

  Status exec_script(const std::string& sql) override {
    PGresult* r = pq().PQexec(c_, sql.c_str());
    ExecStatusType st = pq().PQresultStatus(r);
    std::string m = pq().PQresultErrorMessage(r);
    pq().PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      return Error(ErrorKind::kIo, "gateway postgresql: " + m);
    return ok_status();
  }
  Status begin() override { return exec_script("BEGIN"); }
  Status commit() override { return exec_script("COMMIT"); }
  void rollback() override { (void)exec_script("ROLLBACK"); }
  Status lock(const std::string& key) override {
    auto r = query("SELECT pg_advisory_xact_lock(hashtext($1))", {key});
    if (!r) return r.error();
    return ok_status();
  }
  bool healthy() const override { return pq().PQstatus(c_) == CONNECTION_OK; }

 private:
  PGconn* c_;
};

}  // namespace

std::unique_ptr<SqlConn> open_postgres(const std::string& url, Error* err) {
  if (!load_libpq(err)) return nullptr;
  PGconn* c = pq().PQconnectdb(url.c_str());
  if (pq().PQstatus(c) != CONNECTION_OK) {
    *err = Error(ErrorKind::kNetwork, std::string("cannot connect to PostgreSQL: ") + pq().PQerrorMessage(c));
    pq().PQfinish(c);
    return nullptr;
  }
  PGresult* r = pq().PQexec(c, "SET client_min_messages = warning");
  pq().PQclear(r);
  return std::make_unique<PgConn>(c);
}

}  // namespace bastion::gateway
