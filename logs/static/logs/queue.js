// The logs a phone keeps while it has no signal (IndexedDB), and their sending.
// Used by the pages (offline.js) and by the service worker (Background Sync), so it
// touches no page: self is the window in one and the worker in the other.
//
// A kept log: {id, owner, tapped_at, locations, other_region, other_side, intensity,
// kind, label, refused}. The server stores each id once, so sending one twice is harmless.
// meta holds: owner (whose logs this phone keeps now), csrf (the latest page's token),
// last ({owner, kind, locations, label}: what "Same as last time" repeats).
(function (scope) {
  "use strict";

  var DATABASE = "spasmlog";
  var VERSION = 1;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DATABASE, VERSION);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("waiting", { keyPath: "id" });
        request.result.createObjectStore("meta");
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  // One transaction on one store: action(store) may return a request, whose result it resolves to.
  function run(storeName, mode, action) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var request = action(transaction.objectStore(storeName));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  var queue = {
    get: function (key) {
      return run("meta", "readonly", function (store) {
        return store.get(key);
      });
    },
    set: function (key, value) {
      return run("meta", "readwrite", function (store) {
        return store.put(value, key);
      });
    },
    forget: function (key) {
      return run("meta", "readwrite", function (store) {
        return store.delete(key);
      });
    },
    keep: function (log) {
      return run("waiting", "readwrite", function (store) {
        return store.put(log);
      });
    },
    remove: function (id) {
      return run("waiting", "readwrite", function (store) {
        return store.delete(id);
      });
    },
    // The logs kept for one person, oldest tap first.
    waiting: function (owner) {
      return run("waiting", "readonly", function (store) {
        return store.getAll();
      }).then(function (logs) {
        return logs.filter(function (log) {
          return log.owner === owner;
        }).sort(function (a, b) {
          return a.tapped_at - b.tapped_at;
        });
      });
    },
    // Removes every log kept for someone other than owner (everyone's, when owner is null); how many went.
    removeAllBut: function (owner) {
      return run("waiting", "readonly", function (store) {
        return store.getAll();
      }).then(function (logs) {
        var others = logs.filter(function (log) {
          return log.owner !== owner;
        });
        return Promise.all(others.map(function (log) {
          return queue.remove(log.id);
        })).then(function () {
          return others.length;
        });
      });
    },
  };

  // One sender at a time across this phone's tabs and its service worker (Web Locks, where the
  // browser has them), so that the server never sees the same log twice at once.
  queue.exclusively = function (action) {
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("spasmlog-send", action) : action();
  };

  // Sends one log: resolves to {status, body}, or rejects when there is no signal.
  queue.post = function (url, csrf, log) {
    var payload = {
      id: log.id,
      tapped_at: log.tapped_at,
      locations: log.locations,
      other_region: log.other_region || "",
      other_side: log.other_side || "",
      kind: log.kind,
    };
    if (log.intensity !== null && log.intensity !== undefined && log.intensity !== "") {
      payload.intensity = log.intensity;
    }
    return scope.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "error",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrf || "",
        "X-Offline-Owner": log.owner,
      },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (body) {
        return { status: response.status, body: body };
      });
    });
  };

  // Sends every log kept for this phone's owner, one at a time, oldest first. A refused log
  // keeps its reason (for the patient to fix or discard); sending stops at the first answer
  // that says to wait: no signal, signed out (401), a page older than the sign-in (403).
  // Resolves to {sent, stopped, logged}: how many were stored, why it stopped, the last one's page.
  var sending = null;
  queue.send = function (url) {
    if (sending) {
      return sending;
    }
    var outcome = { sent: 0, stopped: null, logged: null };
    var run = function () {
      return Promise.all([queue.get("owner"), queue.get("csrf")]).then(function (meta) {
        var owner = meta[0];
        var csrf = meta[1];
        if (!owner) {
          return outcome;
        }
        return queue.waiting(owner).then(function (logs) {
          return logs.filter(function (log) {
            return !log.refused;
          }).reduce(function (previous, log) {
            return previous.then(function () {
              if (outcome.stopped) {
                return null;
              }
              return queue.post(url, csrf, log).then(function (answer) {
                if (answer.status === 200 || answer.status === 201) {
                  outcome.sent += 1;
                  outcome.logged = answer.body.logged;
                  return queue.remove(log.id);
                }
                if (answer.status === 400 || answer.status === 409 || answer.status === 413) {
                  log.refused = answer.body.message || "SpasmLog could not store this log.";
                  return queue.keep(log);
                }
                outcome.stopped = answer.status;
                return null;
              }, function () {
                outcome.stopped = "offline";
              });
            });
          }, Promise.resolve());
        }).then(function () {
          return outcome;
        });
      });
    };
    sending = queue.exclusively(run);
    var done = function () {
      sending = null;
    };
    sending.then(done, done);
    return sending;
  };

  scope.SpasmQueue = queue;
})(self);
