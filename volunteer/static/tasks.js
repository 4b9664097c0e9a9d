// 服务项目: the rotating check-in QR code and the certificate's print button.
(function () {
  "use strict";
  document.querySelectorAll("img[data-refresh]").forEach(function (img) {
    var every = parseInt(img.getAttribute("data-refresh"), 10) || 60000;
    var base = img.getAttribute("src");
    setInterval(function () { img.src = base + "?t=" + Date.now(); }, every);
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
