DROP TABLE report_days;
DROP TABLE clinical_results;
DROP TABLE csv_claims;
DROP TABLE csv_row_errors;
DROP TABLE csv_submissions;
