/* Language switch for migration-kg pages: plain JavaScript, no network, remembers the reader's choice. */
(function () {
  "use strict";
  var KEY = "migration-kg-lang";
  var root = document.documentElement;

  function apply(lang) {
    if (lang !== "en" && lang !== "fr") { return; }
    root.lang = lang;
    var title = root.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
    var buttons = document.querySelectorAll("[data-set-lang]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-set-lang") === lang));
    }
  }

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (error) { return null; }
  }

  function remember(lang) {
    try { window.localStorage.setItem(KEY, lang); } catch (error) { /* private mode: not remembered */ }
  }

  function start() {
    var choice = stored();
    if (!choice && navigator.language && navigator.language.slice(0, 2) === "fr") { choice = "fr"; }
    apply(choice || "en");
    var buttons = document.querySelectorAll("[data-set-lang]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        var lang = event.currentTarget.getAttribute("data-set-lang");
        apply(lang);
        remember(lang);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
