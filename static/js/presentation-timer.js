// The defence timer on the judge's sheet: the authors present, then answer the judges' questions,
// each phase counted down from the minutes the festival set. The device keeps when the timer was
// started and how long it was paused (wall clock, in the user's offline store), never a ticking
// counter: a reload, the network going away or a tablet that slept shows the time really left.
// Sign-out wipes it with the rest of the user's keys. The timer never touches the score.
(function () {
  "use strict";
  var box = document.getElementById("presentation-timer");
  var root = document.getElementById("sheet");
  if (!box || !root || !window.festivalOffline) {
    return;
  }
  var store = window.festivalOffline.store;
  var key = store.key("timer", root.dataset.sheetId);
  var text = box.dataset;
  var presentationMs = Number(text.presentationSeconds) * 1000;
  var questionsMs = Number(text.questionsSeconds) * 1000;
  var clock = box.querySelector(".timer-clock");
  var phaseLine = box.querySelector(".timer-phase");
  var startButton = box.querySelector(".timer-start");
  var pauseButton = box.querySelector(".timer-pause");
  var resetButton = box.querySelector(".timer-reset");
  var shownPhase = null;
  var shownPaused = null;

  // {started: ms, pausedAt: ms or null, pausedMs: ms} or null before the start.
  function read() {
    var state = store.read(key);
    return state && typeof state.started === "number" ? state : null;
  }

  function elapsed(state, now) {
    return Math.max(0, (state.pausedAt || now) - state.started - (state.pausedMs || 0));
  }

  function phaseOf(state, now) {
    if (!state) {
      return { name: "idle", left: presentationMs };
    }
    var spent = elapsed(state, now);
    if (spent < presentationMs) {
      return { name: "presentation", left: presentationMs - spent };
    }
    if (spent < presentationMs + questionsMs) {
      return { name: "questions", left: presentationMs + questionsMs - spent };
    }
    return { name: "over", left: 0 };
  }

  function minutesSeconds(ms) {
    var seconds = Math.ceil(ms / 1000);
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function render() {
    var state = read();
    var phase = phaseOf(state, Date.now());
    var paused = Boolean(state && state.pausedAt);
    clock.textContent = phase.name === "over" ? text.textTimeUp : minutesSeconds(phase.left);
    // The live region speaks at a change of phase (or pause), not every second.
    if (phase.name !== shownPhase || paused !== shownPaused) {
      var words = {
        idle: text.textIdle,
        presentation: text.textPresentation,
        questions: text.textQuestions,
        over: text.textOver,
      }[phase.name];
      phaseLine.textContent = paused && phase.name !== "over" ? words + " · " + text.textPaused : words;
      // A phase that ends while the page is open buzzes; one already over at a reload does not.
      var ended = shownPhase === "presentation" || (shownPhase === "questions" && phase.name === "over");
      if (ended && phase.name !== shownPhase && phase.name !== "idle" && navigator.vibrate) {
        navigator.vibrate([300, 150, 300]);
      }
      box.classList.remove("timer-idle", "timer-presentation", "timer-questions", "timer-over");
      box.classList.add("timer-" + phase.name);
      box.classList.toggle("timer-paused", paused);
      shownPhase = phase.name;
      shownPaused = paused;
    }
    startButton.hidden = Boolean(state);
    pauseButton.hidden = !state || phase.name === "over";
    pauseButton.textContent = paused ? text.textResume : text.textPause;
    resetButton.hidden = !state;
  }

  startButton.addEventListener("click", function () {
    store.write(key, { started: Date.now(), pausedAt: null, pausedMs: 0 });
    render();
  });
  pauseButton.addEventListener("click", function () {
    var state = read();
    if (!state) {
      return;
    }
    var now = Date.now();
    if (state.pausedAt) {
      state.pausedMs = (state.pausedMs || 0) + (now - state.pausedAt);
      state.pausedAt = null;
    } else {
      state.pausedAt = now;
    }
    store.write(key, state);
    render();
  });
  resetButton.addEventListener("click", function () {
    if (window.confirm(text.textConfirmReset)) {
      localStorage.removeItem(key);
      render();
    }
  });
  // Another tab of this sheet started, paused or reset it.
  window.addEventListener("storage", function (event) {
    if (event.key === key || event.key === null) {
      render();
    }
  });
  document.addEventListener("visibilitychange", render);

  box.hidden = false;
  render();
  setInterval(render, 250);
})();
