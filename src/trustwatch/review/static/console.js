// Keyboard-driven review: j/k move, Enter/o open, x select, c claim next,
// v/n/e choose the outcome, Ctrl+Enter submit, ? help.
(function () {
  "use strict";
  const rows = () => Array.from(document.querySelectorAll("tr[data-row]"));
  let index = -1;

  function select(i) {
    const list = rows();
    if (!list.length) return;
    index = Math.max(0, Math.min(list.length - 1, i));
    list.forEach((r, j) => r.classList.toggle("selected", j === index));
    list[index].scrollIntoView({ block: "nearest" });
  }

  function open(row) {
    if (row && row.dataset.href) window.location.href = row.dataset.href;
  }

  function choose(key) {
    const radio = document.querySelector('#decide input[data-key="' + key + '"]');
    if (!radio) return false;
    radio.checked = true;
    const reason = document.querySelector('#decide textarea[name="reason"]');
    if (reason) reason.focus();
    return true;
  }

  function toggleHelp(force) {
    const help = document.getElementById("help");
    if (help) help.hidden = force === undefined ? !help.hidden : !force;
  }

  document.addEventListener("click", (ev) => {
    const target = ev.target;
    if (target.closest("[data-help-toggle]")) { toggleHelp(); return; }
    const all = target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll('input[name="case_id"]').forEach((b) => { b.checked = all.checked; });
      return;
    }
    if (target.closest("a, button, input, select, textarea, label")) return;
    open(target.closest("tr[data-row]"));
  });

  document.addEventListener("keydown", (ev) => {
    const typing = ev.target.closest && ev.target.closest("input, textarea, select");
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      const form = ev.target.closest && ev.target.closest("form");
      if (form) { ev.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (ev.key === "Escape") { toggleHelp(false); if (typing) ev.target.blur(); return; }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const list = rows();
    switch (ev.key) {
      case "j": select(index + 1); break;
      case "k": select(index - 1); break;
      case "Enter": case "o": if (index >= 0) open(list[index]); else return; break;
      case "x": {
        const box = index >= 0 && list[index].querySelector('input[name="case_id"]');
        if (box) box.checked = !box.checked; else return;
        break;
      }
      case "c": {
        const form = document.getElementById("claim-next");
        if (form) form.requestSubmit(); else return;
        break;
      }
      case "v": case "n": case "e": if (!choose(ev.key)) return; break;
      case "?": toggleHelp(); break;
      default: return;
    }
    ev.preventDefault();
  });
})();
