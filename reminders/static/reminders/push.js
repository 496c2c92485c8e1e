// Notifications on this device for the daily check-in reminder: the browser asks the
// patient, subscribes with the site's key, and the subscription is posted to the server.
document.addEventListener("DOMContentLoaded", function () {
  var allow = document.getElementById("push-allow");
  var stop = document.getElementById("push-stop");
  var status = document.getElementById("push-status");
  if (!allow || !stop || !status) {
    return;
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    status.textContent = "This browser cannot show notifications from SpasmLog.";
    return;
  }

  // The key as the Push API wants it: the bytes of the URL-safe base64 text.
  function keyBytes(text) {
    var base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function post(url, body) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(
        function (answer) {
          if (!response.ok) {
            throw new Error(answer.message || "SpasmLog did not take it. Reload the page and try again.");
          }
          return answer;
        },
        function () {
          throw new Error("SpasmLog did not take it. Reload the page and try again.");
        }
      );
    });
  }

  function show(subscribed) {
    allow.hidden = subscribed;
    stop.hidden = !subscribed;
  }

  function failed(error) {
    status.textContent = error && error.message ? error.message : "Something went wrong. Try again.";
  }

  show(false);
  navigator.serviceWorker.ready
    .then(function (registration) {
      return registration.pushManager.getSubscription();
    })
    .then(function (subscription) {
      show(Boolean(subscription) && Notification.permission === "granted");
    }, failed);

  allow.addEventListener("click", function () {
    status.textContent = "";
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          throw new Error("Notifications are blocked for SpasmLog in this browser's settings.");
        }
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return (
            existing ||
            registration.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: keyBytes(allow.dataset.pushKey),
            })
          );
        });
      })
      .then(function (subscription) {
        return post(allow.dataset.pushUrl, subscription.toJSON());
      })
      .then(function () {
        var choice = document.getElementById("id_by_push");
        status.textContent =
          "Notifications are on for this device." +
          (choice && !choice.checked ? " Tick “by notification” above and save to have the reminder come here." : "");
        show(true);
      })
      .catch(failed);
  });

  stop.addEventListener("click", function () {
    status.textContent = "";
    navigator.serviceWorker.ready
      .then(function (registration) {
        return registration.pushManager.getSubscription();
      })
      .then(function (subscription) {
        if (!subscription) {
          return null;
        }
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(stop.dataset.pushUrl, { endpoint: endpoint });
        });
      })
      .then(function () {
        status.textContent = "Notifications are off for this device.";
        show(false);
      })
      .catch(failed);
  });
});
