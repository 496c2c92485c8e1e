// SpasmLog's service worker, version {{ version }}. It keeps the two offline pages and the
// files they load, answers a page asked for without a signal from them, and sends the logs
// a phone kept (Background Sync). It keeps no other page: diary pages come from the network.
"use strict";

var CACHE = "spasmlog-{{ version }}";
var PRECACHE = {{ precache|safe }};
var QUICK_LOG = "{{ quick_log }}";
var OFFLINE_QUICK_LOG = "{{ offline_quick_log }}";
var OFFLINE = "{{ offline }}";
var SENT_LOG = "{{ sent_log }}";
// In development the static files keep their names as they change, so they come from the network first.
var NETWORK_FIRST = {{ network_first|yesno:"true,false" }};

importScripts("{{ queue_js }}");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // One at a time: a small server is not asked for everything at once.
      return PRECACHE.reduce(function (previous, url) {
        return previous.then(function () {
          return cache.add(url);
        });
      }, Promise.resolve());
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

// The new version takes over at once and the old one's cache goes. Pages are never reloaded
// for it: each page comes from the network anyway, so none is stale, and none loops.
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("spasmlog-") === 0 && key !== CACHE;
      }).map(function (key) {
        return caches.delete(key);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(url.pathname === QUICK_LOG ? OFFLINE_QUICK_LOG : OFFLINE);
    }));
    return;
  }
  if (PRECACHE.indexOf(url.pathname) === -1) {
    return;
  }
  if (NETWORK_FIRST) {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(url.pathname);
    }));
    return;
  }
  event.respondWith(caches.match(url.pathname).then(function (kept) {
    return kept || fetch(request);
  }));
});

self.addEventListener("sync", function (event) {
  if (event.tag === "send-logs") {
    // Rejecting asks the browser to try again later: when the server could not be reached or failed.
    event.waitUntil(self.SpasmQueue.send(SENT_LOG).then(function (outcome) {
      if (outcome.stopped === "offline" || outcome.stopped >= 500) {
        throw new Error("The logs wait for the server.");
      }
    }));
  }
});
{% include "reminders/sw_push.js" %}
