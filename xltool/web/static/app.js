// Drag and drop onto the upload area, the chosen file names, and a "please wait" line.
// Plain JavaScript served by the app; the forms work without it.
var MAX = 60 * 1024 * 1024;   // the server refuses larger files too (413)

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-drop]").forEach(function (form) {
    var drop = form.querySelector(".drop");
    var input = form.querySelector("input[type=file]");
    var chosen = form.querySelector("[data-chosen]");
    var busy = form.querySelector("[data-busy]");
    function show() {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      chosen.textContent = names.length ? "已选择：" + names.join("、") : "";
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (type) {
      drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        show();
      }
    });
    form.addEventListener("submit", function (e) {
      var tooBig = Array.prototype.filter.call(input.files, function (f) { return f.size > MAX; });
      if (tooBig.length) {
        e.preventDefault();
        chosen.textContent = "文件“" + tooBig[0].name + "”超过 60 MB，不能上传。请确认选择的是填报表本身。";
        return;
      }
      if (e.submitter && e.submitter.name) {
        var keep = document.createElement("input");
        keep.type = "hidden";
        keep.name = e.submitter.name;
        keep.value = e.submitter.value;
        form.appendChild(keep);
      }
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      if (busy) { busy.hidden = false; }
    });
  });
});
