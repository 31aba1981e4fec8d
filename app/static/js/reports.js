// Report progress (app/reports): poll the order's status and show percent and step; reload the page when
// the report is ready or has failed, so the server shows the downloads or the error with "Prøv igjen".
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-report-progress]");
  if (!box) { return; }
  var bar = box.querySelector("[data-report-bar]");
  var percent = box.querySelector("[data-report-percent]");
  var step = box.querySelector("[data-report-step-text]");
  var delay = 1000;

  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (status) {
        bar.value = status.percent;
        bar.textContent = status.percent + " %";
        percent.textContent = status.percent + " %";
        step.textContent = status.step;
        if (status.state === "finished" || status.state === "failed") {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.3, 5000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, delay);
});
