// The screen view's live board: progressive enhancement over a page that works without it.
// EventSource comes back by itself after a network drop or a bot restart (the stream's
// "retry:"); on every "board" event the page is fetched again and only the board is swapped.
(function () {
  "use strict";
  var body = document.body;
  var address = body.getAttribute("data-live");
  if (!address || !window.EventSource || !window.fetch) {
    return;
  }
  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("board");
        var board = document.getElementById("board");
        if (fresh && board) {
          board.replaceWith(fresh);
        }
      })
      .catch(function () { /* the next event tries again */ });
  }
  var source = new EventSource(address);
  source.addEventListener("board", refresh);
  // After a reconnect the board may have changed while we were away.
  source.addEventListener("open", refresh);
})();
