// The project page's bulk triage: "all on this page" ticks every row's checkbox, and
// applying a decision to every finding matching the filter asks for a confirmation
// before HTMX sends the form. Delegated from the document, so it keeps working after
// HTMX swaps the list.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("[data-select-page]")) return;
  document.querySelectorAll("#findings input[name=finding]").forEach(function (row) {
    row.checked = box.checked;
  });
});
document.addEventListener("htmx:confirm", function (event) {
  var form = event.target;
  if (!form || form.id !== "bulk-triage") return;
  var scope = form.querySelector("input[name=scope]:checked");
  if (!scope || scope.value !== "filter") return;
  event.preventDefault();
  if (window.confirm(scope.dataset.confirm)) event.detail.issueRequest(true);
});
