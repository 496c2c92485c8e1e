{% load static %}
// Daily check-in reminders. The text comes from the server and holds no health data.
self.addEventListener("push", function (event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "SpasmLog", {
      body: message.body || "Time for today's check-in",
      icon: "{% static 'spasmlog/icon.svg' %}",
      tag: "check-in-reminder",
      data: { url: message.url || "/" },
      actions: [{ action: "off", title: "Turn off reminders" }],
    })
  );
});

// Opens the check-in, or the reminder settings for "off"; only ever a page of this site.
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var path = event.action === "off" ? "{% url 'reminders:settings' %}" : (event.notification.data || {}).url || "/";
  var target = new URL(path, self.location.origin);
  if (target.origin !== self.location.origin) {
    target = new URL("/", self.location.origin);
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === target.href && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
