// Move focus to the form's error summary after an invalid submit, so screen readers announce it.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});

// Idle-time warning (WCAG 2.2.1): five minutes before the server ends an idle session, offer to stay
// logged in. The server decides; this only warns, extends on request and goes to the login page after.
document.addEventListener("DOMContentLoaded", function () {
  var body = document.body;
  var warning = document.getElementById("session-warning");
  if (!warning || !body.dataset.idleSeconds) { return; }
  var idle = Number(body.dataset.idleSeconds) * 1000;
  var warnBefore = Number(body.dataset.warnSeconds) * 1000;
  var form = warning.querySelector("[data-extend-session]");
  var timers = [];

  function start() {
    timers.forEach(clearTimeout);
    timers = [
      setTimeout(function () {
        warning.hidden = false;
        form.querySelector("button").focus();
      }, idle - warnBefore),
      setTimeout(function () { window.location.reload(); }, idle + 1000)
    ];
    body.dataset.idleTimer = "running";  // lets tests know the countdown has started
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { window.location.reload(); return; }
        warning.hidden = true;
        start();
      });
  });
  start();
});

// A saved filter's link for sharing: the whole link is selected when the field gets focus, ready to copy.
document.addEventListener("focusin", function (event) {
  if (event.target.matches && event.target.matches("[data-copy-link]")) { event.target.select(); }
});

// A text field with a length limit counts as one types: «12 av 200 tegn», and «5 tegn for mye» once over the
// limit. The browser does not stop the typing or cut a pasted text; the server refuses a text that is too long
// with a message at the field. The count is announced politely, once typing pauses.
document.addEventListener("DOMContentLoaded", function () {
  var numbers = new Intl.NumberFormat("nb-NO");
  document.querySelectorAll("[data-char-count-for]").forEach(function (counter) {
    var field = document.getElementById(counter.dataset.charCountFor);
    if (!field) { return; }
    var limit = Number(field.dataset.maxlength);
    var pause;
    counter.setAttribute("aria-live", "polite");

    function show() {
      var length = field.value.length;
      var over = length - limit;
      counter.textContent = over > 0
        ? numbers.format(over) + " tegn for mye (høyst " + numbers.format(limit) + ")"
        : numbers.format(length) + " av " + numbers.format(limit) + " tegn";
      counter.classList.toggle("char-count-over", over > 0);
    }

    field.addEventListener("input", function () {
      clearTimeout(pause);
      pause = setTimeout(show, 400);
    });
    show();
  });
});

// A long group of checkboxes (data-filterable, e.g. the methods of an agenda item) gets a search field: the
// options whose label does not contain what is typed are hidden, checked ones always stay, and the number of
// matches is announced. Without script every option is shown.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("fieldset[data-filterable]").forEach(function (group) {
    var options = Array.prototype.slice.call(group.querySelectorAll("label.checkbox"));
    var id = group.id + "-filter";
    var wrap = document.createElement("div");
    wrap.className = "field";
    wrap.innerHTML = '<label for="' + id + '"></label><input type="search" id="' + id + '" autocomplete="off">' +
      '<p class="hint" id="' + id + '-count" aria-live="polite"></p>';
    wrap.querySelector("label").textContent = group.dataset.filterable;
    var input = wrap.querySelector("input");
    var count = wrap.querySelector("p");
    input.setAttribute("aria-describedby", id + "-count");
    var legend = group.querySelector("legend");
    var anchor = group.querySelector(".field-error") || group.querySelector(".hint") || legend;
    anchor.insertAdjacentElement("afterend", wrap);

    function filter() {
      var words = input.value.toLocaleLowerCase("nb").trim().split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option) {
        var text = option.textContent.toLocaleLowerCase("nb");
        var match = option.querySelector("input").checked || words.every(function (word) {
          return text.indexOf(word) !== -1;
        });
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = shown + " av " + options.length + " vises";
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }   // typing a search does not submit the form
    });
    filter();
  });
});
