// 确认调解协议: the party signs with a finger (or the mouse) on a canvas; on submit the drawing
// is put in the form's hidden "signature" field as a PNG data URL. The server decodes it again
// and refuses a blank one; here an empty pad is only caught early.
(function () {
  "use strict";
  function setup(form) {
    if (form.dataset.signatureReady) return;
    form.dataset.signatureReady = "1";
    var canvas = form.querySelector("canvas.fq-signature-pad");
    var field = form.querySelector("input.fq-signature-data");
    var empty = form.querySelector(".fq-signature-empty");
    if (!canvas || !field) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    function reset() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 4;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#000";
      drawn = false;
    }
    reset();
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
      if (empty) empty.hidden = true;
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    var clear = form.querySelector(".fq-signature-clear");
    if (clear) clear.addEventListener("click", reset);
    form.addEventListener("submit", function (event) {
      if (!drawn) {
        event.preventDefault();
        if (empty) empty.hidden = false;
        return;
      }
      field.value = canvas.toDataURL("image/png");
    });
  }
  function all() {
    document.querySelectorAll("form.fq-signature-form").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
