// 通通在: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // confirm before destructive or irreversible actions
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // a long upload (the member import) shows its progress bar and cannot be sent twice
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var bar = form.querySelector("progress");
      if (bar) { bar.hidden = false; }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  // print buttons print the page instead of following the link
  document.querySelectorAll("[data-print]").forEach(function (link) {
    link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
  // reload a page when a select that changes the form's shape changes (e.g. staff role)
  document.querySelectorAll("select[data-reload]").forEach(function (select) {
    select.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set(select.getAttribute("data-reload"), select.value);
      window.location.href = url.toString();
    });
  });
  // the grid picker follows the community picker
  var community = document.querySelector("select[data-grids-for]");
  if (community) {
    var gridSelect = document.getElementById(community.getAttribute("data-grids-for"));
    community.addEventListener("change", function () {
      gridSelect.innerHTML = '<option value="">暂不选择</option>';
      if (!community.value) { return; }
      fetch("/api/v1/grids?per_page=100&community_id=" + encodeURIComponent(community.value))
        .then(function (r) { return r.json(); })
        .then(function (body) {
          (body.items || []).forEach(function (grid) {
            var option = document.createElement("option");
            option.value = grid.id; option.textContent = grid.name;
            gridSelect.appendChild(option);
          });
        });
    });
  }
  // the branch picker (registration) follows the community picker too: its 支部 and 小组
  var branchCommunity = document.querySelector("select[data-branches-for]");
  if (branchCommunity) {
    var branchSelect = document.getElementById(branchCommunity.getAttribute("data-branches-for"));
    var noBranch = branchSelect.options.length ? branchSelect.options[0].textContent : "";
    branchCommunity.addEventListener("change", function () {
      branchSelect.innerHTML = "";
      var empty = document.createElement("option");
      empty.value = ""; empty.textContent = noBranch; branchSelect.appendChild(empty);
      if (!branchCommunity.value) { return; }
      fetch("/api/v1/branches?per_page=100&community_id=" +
            encodeURIComponent(branchCommunity.value))
        .then(function (r) { return r.json(); })
        .then(function (body) {
          (body.items || []).forEach(function (branch) {
            if (branch.level === "general") { return; }  // members join a 支部 or 小组
            var option = document.createElement("option");
            option.value = branch.id; option.textContent = branch.name;
            branchSelect.appendChild(option);
          });
        });
    });
  }
  // a live section (the 集结号 roster) reloads itself every N seconds, unless one is typing in it
  document.querySelectorAll("[data-live-refresh]").forEach(function (section) {
    var seconds = parseInt(section.getAttribute("data-live-refresh"), 10) || 20;
    setInterval(function () {
      if (document.hidden || section.contains(document.activeElement)) { return; }
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html || section.contains(document.activeElement)) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(section.id);
          if (fresh) { section.innerHTML = fresh.innerHTML; }
        })
        .catch(function () {});
    }, seconds * 1000);
  });
  // the unit field suggests units as one types
  var unitInput = document.querySelector("input[data-unit-search]");
  if (unitInput) {
    var list = document.getElementById(unitInput.getAttribute("list"));
    var timer = null;
    unitInput.addEventListener("input", function () {
      clearTimeout(timer);
      var q = unitInput.value.trim();
      if (!q) { return; }
      timer = setTimeout(function () {
        fetch("/api/v1/units?per_page=20&q=" + encodeURIComponent(q))
          .then(function (r) { return r.json(); })
          .then(function (body) {
            list.innerHTML = "";
            (body.items || []).forEach(function (unit) {
              var option = document.createElement("option");
              option.value = unit.name; list.appendChild(option);
            });
          });
      }, 200);
    });
  }
  // a "select all" box ticks every box of its group (data-select-all="<input name>")
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = function () {
      return document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
    };
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
  });
  // a copy button copies its text (an address, a phone) and says so
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = !navigator.clipboard;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied") || "已复制";
      });
    });
  });
})();
