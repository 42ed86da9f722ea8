// 送达回证: the party signs on a tablet signature pad (a canvas); on submit the drawing is
// posted as a PNG file in the form's "signature" field (unless a scanned receipt was chosen).
(function () {
  "use strict";
  function setup(form) {
    if (form.dataset.signatureReady) return;
    form.dataset.signatureReady = "1";
    var canvas = form.querySelector("canvas.signature-pad");
    var fileInput = form.querySelector("input.signature-file");
    var method = form.querySelector("select.serve-method");
    if (!canvas || !fileInput) return;
    var ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#000";
    var drawing = false;
    var drawn = false;
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointerup", function () {
      drawing = false;
    });
    var clear = form.querySelector(".signature-clear");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
      });
    }
    form.addEventListener("submit", function (event) {
      var usePad = !method || method.value === "signature_pad";
      if (!usePad || !drawn) return;
      event.preventDefault();
      // A white background: the PNG is stored re-encoded and printed on paper.
      var copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      var c2 = copy.getContext("2d");
      c2.fillStyle = "#fff";
      c2.fillRect(0, 0, copy.width, copy.height);
      c2.drawImage(canvas, 0, 0);
      copy.toBlob(function (blob) {
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], "signature.png", { type: "image/png" }));
        fileInput.files = transfer.files;
        form.submit();
      }, "image/png");
    });
  }
  function all() {
    document.querySelectorAll("form.serve-form").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
