// SpasmLog without a signal: registers the service worker, keeps each quick log on the phone
// (queue.js) before sending it, sends what waits when the signal returns, and shows what waits.
(function () {
  "use strict";

  // The quick log's Undo is for a mis-tap just made: it goes after ten seconds.
  document.querySelectorAll("form[data-undo]").forEach(function (form) {
    window.setTimeout(function () {
      form.remove();
    }, 10000);
  });

  var queue = window.SpasmQueue;
  var body = document.body;
  if (!queue || !window.indexedDB || !window.fetch || !window.crypto || !window.crypto.randomUUID) {
    return;
  }
  if ("serviceWorker" in navigator && body.dataset.serviceWorker) {
    navigator.serviceWorker.register(body.dataset.serviceWorker).catch(function () {});
  }

  var sentUrl = body.dataset.sentLog;
  // Set on a signed-in patient's pages: whose logs this phone keeps from now on.
  var patient = body.dataset.patient || null;
  // The quick log as the service worker keeps it for a page asked for without a signal.
  var offlineCopy = "offlineCopy" in body.dataset;
  var quickLog = document.querySelector("form[data-quick-log]");
  var sameAsLast = document.querySelector("form[data-same-as-last]");
  var box = document.getElementById("waiting");

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : null;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function when(log) {
    return new Date(log.tapped_at).toLocaleString([], {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
  }

  // A line at the top of the waiting box: what just happened.
  var said = null;
  function say(text, kind) {
    said = text ? { text: text, kind: kind || "info" } : null;
  }

  // The box on every page: the logs kept on this phone for the owner, each with its reason if refused.
  function show() {
    if (!box) {
      return Promise.resolve();
    }
    return queue.get("owner").then(function (owner) {
      return owner ? queue.waiting(owner) : [];
    }).then(function (logs) {
      box.replaceChildren();
      if (said) {
        box.append(element("p", "alert alert-" + said.kind + " mb-2", said.text));
      }
      if (logs.length) {
        var panel = element("div", "alert alert-warning");
        panel.append(element("p", "fw-semibold mb-1",
          plural(logs.length, "spasm log is", "spasm logs are") + " saved on this phone, waiting to be sent."));
        panel.append(element("p", "small mb-2", navigator.onLine
          ? "They are sent as soon as SpasmLog can reach its server while you are signed in."
          : "There is no signal now. They are sent when there is, while you are signed in."));
        // What was logged is shown on its owner's pages and the quick log kept for no signal,
        // not on a page anyone holding the phone can open (sign-in, the home page).
        if (patient || offlineCopy) {
          var list = element("ul", "list-unstyled mb-0 waiting-list");
          logs.forEach(function (log) {
            list.append(row(log));
          });
          panel.append(list);
        }
        box.append(panel);
      }
      box.hidden = !said && !logs.length;
    });
  }

  function row(log) {
    var item = element("li", "waiting-log py-1");
    item.dataset.id = log.id;
    item.append(element("span", "me-2", when(log) + ": " + (log.label || "a spasm")));
    if (log.refused) {
      item.append(element("span", "d-block text-danger small waiting-reason", log.refused));
      if (quickLog) {
        var fix = element("button", "btn btn-sm btn-outline-primary me-2 mt-1", "Fix");
        fix.type = "button";
        fix.addEventListener("click", function () {
          refill(log);
          replacing = log.id;
          say("Change the log above and tap Log it now: it then takes the refused one's place.", "info");
          show();
        });
        item.append(fix);
      }
      var discard = element("button", "btn btn-sm btn-outline-danger mt-1", "Discard");
      discard.type = "button";
      discard.addEventListener("click", function () {
        queue.remove(log.id).then(show);
      });
      item.append(discard);
    }
    return item;
  }

  // The refused log being fixed: removed once the changed one is kept on the phone.
  var replacing = null;

  // Puts a refused log back into the quick log, to change and log again.
  function refill(log) {
    quickLog.querySelectorAll("input[name=locations]").forEach(function (input) {
      input.checked = log.locations.indexOf(input.value) !== -1;
    });
    ["kind", "intensity"].forEach(function (name) {
      quickLog.querySelectorAll("input[name=" + name + "]").forEach(function (input) {
        input.checked = String(log[name]) === input.value;
      });
    });
    ["other_region", "other_side"].forEach(function (name) {
      var field = quickLog.querySelector("[name=" + name + "]");
      if (field) {
        field.value = log[name] || "";
      }
    });
    quickLog.scrollIntoView();
  }

  function send() {
    if (!sentUrl || !navigator.onLine) {
      return show();
    }
    return queue.send(sentUrl).then(function (outcome) {
      if (outcome.sent) {
        say(plural(outcome.sent, "spasm log", "spasm logs") + " saved on this phone " +
          (outcome.sent === 1 ? "is" : "are") + " now in your diary.", "success");
      } else if (outcome.stopped === 401) {
        say("Sign in to send the logs saved on this phone.", "warning");
      }
      return show();
    });
  }

  function askForSync() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync && registration.sync.register("send-logs");
      }).catch(function () {});
    }
  }

  function tapFrom(form) {
    var checked = function (name) {
      var input = form.querySelector("input[name=" + name + "]:checked");
      return input ? input.value : null;
    };
    var value = function (name) {
      var field = form.querySelector("[name=" + name + "]");
      return field ? field.value : "";
    };
    var places = Array.prototype.map.call(form.querySelectorAll("input[name=locations]:checked"), function (input) {
      return { value: input.value, label: document.querySelector("label[for=" + input.id + "]").textContent.trim() };
    });
    var otherRegion = value("other_region");
    var otherSide = value("other_side");
    var labels = places.map(function (place) {
      return place.label.toLowerCase();
    });
    if (otherRegion && otherSide) {
      var select = form.querySelector("[name=other_region]");
      labels.push(select.options[select.selectedIndex].text.toLowerCase());
    }
    var kindInput = form.querySelector("input[name=kind]:checked");
    var kindLabel = kindInput ? document.querySelector("label[for=" + kindInput.id + "]").textContent.trim() : "Spasm";
    return {
      locations: places.map(function (place) {
        return place.value;
      }),
      other_region: otherRegion,
      other_side: otherSide,
      intensity: checked("intensity"),
      kind: checked("kind") || "spasm",
      label: kindLabel + (labels.length ? ": " + labels.join(", ") : ""),
    };
  }

  // Keeps the tap on the phone first, then sends it: stored, the patient sees it logged; refused
  // online, the form itself is posted, so the page says why beside the field; no signal, it waits.
  function keepAndSend(tap, form) {
    return queue.get("owner").then(function (owner) {
      owner = patient || owner;
      if (!owner) {
        say("Sign in once with a signal before logging without one.", "warning");
        return show();
      }
      var log = Object.assign(tap, { id: window.crypto.randomUUID(), owner: owner, tapped_at: Date.now() });
      var kept = queue.keep(log).then(function () {
        var fixed = replacing;
        replacing = null;
        return Promise.all([
          queue.set("last", { owner: owner, kind: log.kind, locations: log.locations, label: log.label }),
          fixed && queue.remove(fixed),
        ]);
      });
      var waiting = function () {
        say("Saved on this phone at " + when(log) + ". It will be sent when there is a signal.", "info");
        askForSync();
        if (form) {
          form.reset();
        }
        return show().then(function () {
          box.scrollIntoView({ block: "nearest" });
        });
      };
      return kept.then(function () {
        if (!navigator.onLine) {
          return waiting();
        }
        return queue.get("csrf").then(function (csrf) {
          return queue.exclusively(function () {
            return queue.post(sentUrl, csrfToken() || csrf, log);
          });
        }).then(function (answer) {
          if (answer.status === 200 || answer.status === 201) {
            return queue.remove(log.id).then(function () {
              leaving = true;
              window.location.assign(answer.body.logged);
            });
          }
          if (answer.status === 400 && form && !offlineCopy) {
            return queue.remove(log.id).then(function () {
              leaving = true;
              form.submit();
            });
          }
          if (answer.status === 400 || answer.status === 409) {
            log.refused = answer.body.message;
            return queue.keep(log).then(show);
          }
          return waiting();
        }, waiting);
      });
    });
  }

  // One log at a time: a second tap while the first is on its way would log the spasm twice.
  // The buttons stay off when the page moves on to the logged episode.
  var busy = false;
  var leaving = false;
  function once(form, tap) {
    if (busy) {
      return;
    }
    busy = true;
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) {
      button.disabled = true;
    });
    form.setAttribute("aria-busy", "true");
    var done = function () {
      busy = false;
      if (!leaving) {
        buttons.forEach(function (button) {
          button.disabled = false;
        });
        form.removeAttribute("aria-busy");
      }
    };
    keepAndSend(tap, form === quickLog ? form : null).then(done, done);
  }

  if (quickLog) {
    quickLog.addEventListener("submit", function (event) {
      var tap = tapFrom(quickLog);
      var somewhere = tap.locations.length || (tap.other_region && tap.other_side);
      if (!somewhere && !offlineCopy && navigator.onLine) {
        return; // The page the form posts to says what is missing, beside the field.
      }
      event.preventDefault();
      if (!somewhere) {
        say("Tap where the spasm is.", "danger");
        show();
        return;
      }
      once(quickLog, tap);
    });
  }

  if (sameAsLast) {
    sameAsLast.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = sameAsLast.dataset;
      once(sameAsLast, {
        locations: data.places.split(" "),
        other_region: "",
        other_side: "",
        intensity: null,
        kind: data.kind,
        label: data.label,
      });
    });
  }

  // The offline copy offers "Same as last time" from what this phone remembers of the last log.
  function offerSameAsLast(owner) {
    if (!offlineCopy || !sameAsLast) {
      return Promise.resolve();
    }
    return queue.get("last").then(function (last) {
      if (last && last.owner === owner) {
        sameAsLast.dataset.places = last.locations.join(" ");
        sameAsLast.dataset.kind = last.kind;
        sameAsLast.dataset.label = last.label;
        sameAsLast.querySelector("[data-last-label]").textContent = last.label;
        sameAsLast.hidden = false;
      }
    });
  }

  // Signing out clears the site's storage, so the patient is asked first when logs wait.
  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      queue.get("owner").then(function (owner) {
        return owner ? queue.waiting(owner) : [];
      }).then(function (logs) {
        var go = !logs.length || window.confirm(
          plural(logs.length, "spasm log saved on this phone has", "spasm logs saved on this phone have") +
          " not been sent yet. Signing out removes them from this phone. Sign out anyway?");
        if (go) {
          return queue.removeAllBut(null).then(function () {
            return queue.forget("owner");
          }).then(function () {
            form.submit();
          });
        }
      }).catch(function () {
        form.submit(); // Storage that fails never keeps anyone signed in.
      });
    });
  });

  // On every page: take note of who is signed in (another person's kept logs are cleared,
  // saying so), remember the last log for "Same as last time", and send what waits.
  queue.get("owner").then(function (owner) {
    if (!patient) {
      return offerSameAsLast(owner).then(show);
    }
    var steps = [queue.set("owner", patient)];
    if (csrfToken()) {
      steps.push(queue.set("csrf", csrfToken()));
    }
    if (owner && owner !== patient) {
      steps.push(queue.removeAllBut(patient).then(function (removed) {
        if (removed) {
          say(plural(removed, "spasm log", "spasm logs") + " saved on this phone by the person signed in " +
            "before you " + (removed === 1 ? "was" : "were") + " never sent, and " +
            (removed === 1 ? "is" : "are") + " now removed from it.", "warning");
        }
      }));
    }
    if (sameAsLast && sameAsLast.dataset.places) {
      var data = sameAsLast.dataset;
      steps.push(queue.set("last", { owner: patient, kind: data.kind, locations: data.places.split(" "), label: data.label }));
    }
    return Promise.all(steps).then(send);
  }).catch(function () {});

  window.addEventListener("online", send);
  window.addEventListener("offline", show);
})();
