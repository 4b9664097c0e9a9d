// 通通在: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // on a phone every list table becomes a pile of cards: each cell is labelled by its column's
  // heading (data-label, unless the template gave one or marked it .title / .row-actions); a
  // table marked data-keep stays a table
  function stackTables(root) {
    root.querySelectorAll(".table-wrap > table:not([data-keep])").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.classList.add("stack");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && heads[index] && !cell.hasAttribute("colspan") &&
              !cell.classList.contains("title") && !cell.classList.contains("row-actions")) {
            cell.setAttribute("data-label", heads[index]);
          }
        });
      });
    });
  }
  stackTables(document);

  // a long picker gets a search box: typing narrows the options (a select is rebuilt from its
  // original options, since phones ignore hidden options); Enter takes the first match, the
  // down arrow moves into the list. A checklist (data-search on a .checks box) hides its boxes.
  var SEARCH_FROM = 15;
  function matches(text, words) {
    text = text.toLowerCase();
    return words.every(function (w) { return text.indexOf(w) !== -1; });
  }
  function searchBox(target, label) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "picker-search";
    input.placeholder = label;
    input.setAttribute("aria-label", label);
    input.setAttribute("autocomplete", "off");
    if (target.id) { input.setAttribute("aria-controls", target.id); input.id = target.id + "-search"; }
    target.parentNode.insertBefore(input, target);
    return input;
  }
  function enhanceSelect(select) {
    var original = Array.prototype.map.call(select.children, function (n) { return n.cloneNode(true); });
    var input = searchBox(select, select.getAttribute("data-search") ||
      document.body.getAttribute("data-picker-search") || "输入名称筛选");
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var chosen = {};
      Array.prototype.forEach.call(select.selectedOptions, function (o) { chosen[o.value] = true; });
      select.innerHTML = "";
      original.forEach(function (node) {
        var copy = node.cloneNode(true);
        if (copy.tagName === "OPTGROUP") {
          var groupHit = words.length && matches(copy.label, words);
          Array.prototype.slice.call(copy.children).forEach(function (o) {
            if (!(groupHit || matches(o.textContent, words) || chosen[o.value])) { o.remove(); }
          });
          if (copy.children.length) { select.appendChild(copy); }
        } else if (!copy.value || matches(copy.textContent, words) || chosen[copy.value]) {
          select.appendChild(copy);
        }
      });
      Array.prototype.forEach.call(select.options, function (o) { o.selected = !!chosen[o.value]; });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = Array.prototype.find.call(select.options, function (o) { return o.value; });
        if (first && !select.multiple) { select.value = first.value; select.dispatchEvent(new Event("change", { bubbles: true })); }
        select.focus();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      }
    });
  }
  function enhanceChecklist(box) {
    var input = searchBox(box, box.getAttribute("data-search"));
    var count = box.parentNode.querySelector("[data-checked-count]");
    function recount() {
      if (count) { count.textContent = box.querySelectorAll("input:checked").length; }
    }
    box.addEventListener("change", recount);
    recount();
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      box.querySelectorAll("fieldset").forEach(function (group) {
        var legend = group.querySelector("legend");
        var groupHit = words.length && legend && matches(legend.textContent, words);
        var shown = 0;
        group.querySelectorAll("label").forEach(function (label) {
          var show = groupHit || matches(label.textContent, words) ||
            label.querySelector("input").checked;
          label.hidden = !show;
          if (show) { shown += 1; }
        });
        group.hidden = shown === 0;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault();
        var first = Array.prototype.find.call(box.querySelectorAll("input[type=checkbox]"),
          function (c) { return !c.closest("[hidden]"); });
        if (first) { first.focus(); }
      }
    });
  }
  document.querySelectorAll("select").forEach(function (select) {
    if (select.hasAttribute("data-search") || (select.options.length >= SEARCH_FROM &&
        !select.hasAttribute("data-no-search"))) { enhanceSelect(select); }
  });
  document.querySelectorAll(".checks[data-search]").forEach(enhanceChecklist);

  // a larger text for older eyes, remembered on this device
  var root = document.documentElement;
  function applyLarge(on) {
    root.classList.toggle("large-text", on);
    document.querySelectorAll("[data-large-text]").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  try { applyLarge(window.localStorage.getItem("largeText") === "1"); } catch (e) { /* private mode */ }
  document.querySelectorAll("[data-large-text]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var on = !root.classList.contains("large-text");
      applyLarge(on);
      try { window.localStorage.setItem("largeText", on ? "1" : "0"); } catch (e) { /* ignore */ }
    });
  });

  // copy an address (or any text) with one tap
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var done = function () {
        var before = button.textContent;
        button.textContent = button.getAttribute("data-copied") || "已复制";
        setTimeout(function () { button.textContent = before; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { window.prompt("", text); });
      } else {
        window.prompt(button.getAttribute("data-copy-prompt") || "请复制：", text);
      }
    });
  });

  // a one-time download link says so once used
  document.querySelectorAll("a[data-once]").forEach(function (link) {
    link.addEventListener("click", function () {
      setTimeout(function () {
        var done = document.createElement("span");
        done.className = "muted";
        done.setAttribute("data-testid", "downloaded");
        done.textContent = link.getAttribute("data-once");
        link.replaceWith(done);
      }, 0);
    });
  });
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
          if (fresh) { section.innerHTML = fresh.innerHTML; stackTables(section); }
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
