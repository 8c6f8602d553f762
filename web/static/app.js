// Progressive enhancement for the sqaaas pages. Everything works without this file: the
// server pads forms with blank rows and the progress page reloads itself. With it: rows are
// added and removed in place, progress updates live, and snippets copy with one click.
"use strict";

(function () {
  // --- composer rows --------------------------------------------------------------------

  // Field names and ids carry the row index: repo-2-url, env-0-name, step-QC.Sty-1-tool,
  // f-step-QC.Sty-1-kind-tool. INDEXED finds that index after the row's group prefix.
  var INDEXED = /((?:^|-)(?:repo|env|step-[A-Za-z]+\.[A-Za-z]+))-(\d+)-/;

  function renumber(value, index) {
    return value.replace(INDEXED, "$1-" + index + "-");
  }

  function indexOf(row) {
    var named = row.querySelector("[name]");
    var match = named ? INDEXED.exec(named.getAttribute("name")) : null;
    return match ? parseInt(match[2], 10) : -1;
  }

  function clearRow(row) {
    row.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.type === "radio") {
        el.checked = el.value === "tools";
      } else if (el.type === "checkbox") {
        el.checked = false;
      } else if (el.tagName === "SELECT") {
        el.selectedIndex = 0;
      } else {
        el.value = "";
      }
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
  }

  function numberRows(rows) {
    rows.querySelectorAll(":scope > [data-row]").forEach(function (row, n) {
      var label = row.querySelector("[data-row-number]");
      if (label) { label.textContent = String(n + 1); }
    });
  }

  function addRow(group) {
    var rows = document.querySelector('[data-rows="' + group + '"]');
    var all = rows ? rows.querySelectorAll(":scope > [data-row]") : [];
    if (!all.length) { return; }
    var last = all[all.length - 1];
    var next = 0;
    all.forEach(function (row) { next = Math.max(next, indexOf(row) + 1); });
    var copy = last.cloneNode(true);
    copy.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        if (el.hasAttribute(attr)) { el.setAttribute(attr, renumber(el.getAttribute(attr), next)); }
      });
    });
    clearRow(copy);
    rows.appendChild(copy);
    numberRows(rows);
    if (group === "repo") { addRepositoryOption(next); }
    var first = copy.querySelector("input:not([type=radio]):not([type=checkbox]), textarea");
    if (first) { first.focus(); }
  }

  // A new repository row can be chosen by every step.
  function addRepositoryOption(index) {
    document.querySelectorAll("select[data-repo-select]").forEach(function (select) {
      if (!select.querySelector('option[value="' + index + '"]')) {
        var option = document.createElement("option");
        option.value = String(index);
        option.textContent = String(index + 1);
        select.appendChild(option);
      }
    });
  }

  function removeRow(button) {
    var row = button.closest("[data-row]");
    var rows = row && row.parentElement;
    if (!row || !rows) { return; }
    if (rows.querySelectorAll(":scope > [data-row]").length > 1) {
      row.remove();
      numberRows(rows);
    } else {
      clearRow(row);
    }
  }

  document.querySelectorAll("button.add-row, button.remove-row, button.copy").forEach(
    function (button) { button.hidden = false; }
  );
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.classList.contains("add-row")) {
      addRow(button.getAttribute("data-add"));
    } else if (button.classList.contains("remove-row")) {
      removeRow(button);
    } else if (button.classList.contains("copy")) {
      copySnippet(button);
    }
  });

  // --- badge snippets -------------------------------------------------------------------

  function copySnippet(button) {
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    if (!source) { return; }
    source.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  }

  // --- live progress --------------------------------------------------------------------

  var progress = document.querySelector("[data-poll]");
  if (!progress) { return; }
  var stateLabels = { queued: "Waiting for a worker", running: "Running" };
  var elapsed = progress.querySelector('[data-field="elapsed"]');
  var started = Date.now() - 1000 * parseInt(elapsed.getAttribute("data-seconds") || "0", 10);
  var failures = 0;

  function duration(seconds) {
    if (seconds < 60) { return seconds + " s"; }
    if (seconds < 3600) {
      return Math.floor(seconds / 60) + " min " + String(seconds % 60).padStart(2, "0") + " s";
    }
    return Math.floor(seconds / 3600) + " h " +
      String(Math.floor(seconds % 3600 / 60)).padStart(2, "0") + " min";
  }

  function show(field, text) {
    var el = progress.querySelector('[data-field="' + field + '"]');
    if (el && text && el.textContent !== text) { el.textContent = text; }
  }

  function poll() {
    fetch(progress.getAttribute("data-poll"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
        show("state", stateLabels[job.state]);
        show("progress", job.progress);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // After a few failed polls, fall back to reloading the page (the server renders
        // the same state); back off between tries.
        failures += 1;
        var retry = failures >= 3 ? function () { window.location.reload(); } : poll;
        window.setTimeout(retry, Math.min(30000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setInterval(function () {
    show("elapsed", duration(Math.floor((Date.now() - started) / 1000)));
  }, 1000);
  window.setTimeout(poll, 1000);
})();
