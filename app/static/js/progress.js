// A background job's progress (macros/ui.html `progress`: an import, a report): poll the job's status, show the
// percent and the step, and reload the page when the job has finished or failed, so the server renders the
// result or the error. Only a change of step is written to the live region; the percent is not announced, to
// spare screen readers. The pause between polls grows from one second to five.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-progress]");
  if (!box) { return; }
  var bar = box.querySelector("[data-progress-bar]");
  var percent = box.querySelector("[data-progress-percent]");
  var step = box.querySelector("[data-progress-step]");
  var delay = 1000;

  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        if (status.state === "finished" || status.state === "failed") {
          window.location.reload();
          return;
        }
        bar.value = status.percent;
        bar.textContent = status.percent + " %";
        percent.textContent = status.percent + " %";
        if (step.textContent !== status.step) { step.textContent = status.step; }
        delay = Math.min(delay * 1.3, 5000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, delay);
});
