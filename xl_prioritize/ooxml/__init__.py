"""The workbook as what it is: a zip of XML parts. Reading, safety checks and identification here;
the part writer beside them."""
