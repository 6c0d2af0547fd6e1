ALTER TABLE deliveries RESET (fillfactor);
ALTER TABLE messages RESET (fillfactor);
