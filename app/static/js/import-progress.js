// The progress of a background import (abroad/import_job.html): poll the job's status once a second,
// show the step and percent, and reload the page when the job is done so the server renders the result.
// Only a change of step is announced (the step is a live region); the percent is not, to spare screen readers.
document.addEventListener("DOMContentLoaded", function () {
  var section = document.querySelector("[data-import-progress]");
  if (!section) { return; }
  var step = document.getElementById("import-step");
  var percent = document.getElementById("import-percent");
  var bar = document.getElementById("import-bar");

  function poll() {
    fetch(section.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        if (status.done) { window.location.reload(); return; }
        if (step.textContent !== status.step) { step.textContent = status.step; }
        percent.textContent = status.percent;
        bar.value = status.percent;
        bar.textContent = status.percent + " %";
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
});
