/* Reception desk conveniences; every page works without this file.
 *
 * A handheld scanner types the QR text of a citizen ID card into the focused
 * "scan" field and presses Enter.  If the text looks right, the person's
 * fields are filled here and the form is not submitted; otherwise the form
 * is submitted and the server explains what is wrong with the scan.
 */
(function () {
  "use strict";

  function validDate(text) {
    if (!/^\d{8}$/.test(text)) return false;
    var day = +text.slice(0, 2), month = +text.slice(2, 4), year = +text.slice(4);
    var date = new Date(year, month - 1, day);
    return date.getFullYear() === year && date.getMonth() === month - 1 &&
      date.getDate() === day && date <= new Date();
  }

  function parse(text) {
    var parts = text.trim().split("|").map(function (part) { return part.trim(); });
    if (parts.length !== 7) return null;
    if (!/^\d{12}$/.test(parts[0])) return null;
    if (parts[1] && !/^\d{9}$/.test(parts[1])) return null;
    if (!parts[2] || /\d/.test(parts[2])) return null;
    if (!validDate(parts[3]) || !validDate(parts[6])) return null;
    if (!/^(nam|nữ|nu)$/i.test(parts[4])) return null;
    return {
      national_id: parts[0],
      full_name: parts[2].replace(/\s+/g, " "),
      address: parts[5].replace(/\s+/g, " ")
    };
  }

  function fieldOf(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.classList || !input.classList.contains("cccd-scan")) {
      return;
    }
    var data = parse(input.value);
    if (!data) return;  // let the server say what is wrong
    event.preventDefault();
    var row = input.closest("[data-person-row]");
    ["full_name", "national_id", "address"].forEach(function (name) {
      var field = fieldOf(row, name);
      if (field && data[name]) field.value = data[name];
    });
    input.value = "";
    var message = row.querySelector(".scan-error");
    if (message) message.textContent = "";
    var phone = fieldOf(row, "phone");
    if (phone) phone.focus();
  });
})();
