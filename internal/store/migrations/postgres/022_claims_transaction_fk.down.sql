ALTER TABLE claims ADD CONSTRAINT claims_transaction_id_fkey FOREIGN KEY (transaction_id) REFERENCES transactions(id)
	DEFERRABLE INITIALLY IMMEDIATE;
